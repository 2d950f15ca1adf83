FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot bot
COPY storage storage
COPY conversations conversations
RUN pip install --no-cache-dir . && useradd --system --home /app casenotes && mkdir -p /data \
    && chown casenotes /data
USER casenotes
ENV CASENOTES_KEYS_FILE=/data/keys.json
CMD ["casenotes", "run"]
