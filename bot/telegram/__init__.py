"""The Telegram adapter: translate updates into use-case calls and render what they return."""
