FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HINDSIGHT_DATA_DIR=/data \
    HINDSIGHT_DATABASE_URL=sqlite:////data/hindsight.db \
    HINDSIGHT_INDEX_DIR=/data/index

RUN useradd --create-home --uid 10001 hindsight && mkdir /data && chown hindsight /data
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY service ./service
COPY schemas ./schemas
COPY search ./search
COPY clients ./clients
COPY alembic ./alembic
# Editable, so `hindsight migrate` finds alembic/ beside the packages.
RUN pip install -e .

USER hindsight
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["hindsight", "serve", "--host", "0.0.0.0", "--port", "8000"]
