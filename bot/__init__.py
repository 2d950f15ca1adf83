"""The thin Telegram adapter around the engine and storage."""

import os

# Opt in to PTB's future behaviour (RetryAfter.retry_after as a timedelta) to avoid
# deprecation noise; bot.telegram.ratelimit handles both forms.
os.environ.setdefault("PTB_TIMEDELTA", "1")
