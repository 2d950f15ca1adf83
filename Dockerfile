# The bot's image. Dependencies come from requirements.lock (exact versions, generated from the
# tested virtualenv by scripts/lock_requirements.py), so a rebuild installs what CI ran.
FROM python:3.11-slim
WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir --disable-pip-version-check -r requirements.lock
COPY pyproject.toml README.md ./
COPY bot bot
COPY storage storage
COPY conversations conversations
# --no-deps -c: nothing beyond the lock; pip check fails the build if the lock falls short.
RUN pip install --no-cache-dir --disable-pip-version-check --no-deps -c requirements.lock . \
    && pip check \
    && useradd --system --uid 1000 --home /app casenotes \
    && mkdir -p /data && chown casenotes /data && chmod 700 /data
USER casenotes
ENV CASENOTES_KEYS_FILE=/data/keys.json
CMD ["casenotes", "run"]
