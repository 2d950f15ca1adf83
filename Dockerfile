# The bot's image. Dependencies come from requirements.lock (exact versions, generated from the
# tested virtualenv by scripts/lock_requirements.py), so a rebuild installs what CI ran.
FROM python:3.11-slim
WORKDIR /app
# pg_dump/pg_restore for `casenotes backup`/`restore`, from PostgreSQL's own apt repository:
# the client must be at least the server's major version (16, as in docker-compose.yml).
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl postgresql-common \
    && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
    && apt-get install -y --no-install-recommends postgresql-client-16 \
    && rm -rf /var/lib/apt/lists/*
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
