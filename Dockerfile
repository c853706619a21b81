# Two stages: the first builds Hindsight's wheel from the checkout, the second installs that
# wheel as users do (`pip install`, no `-e`), so the image holds no source tree: migrations
# travel inside the package (hindsight.migrations).
FROM python:3.11-slim AS wheel
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY service ./service
COPY schemas ./schemas
COPY search ./search
COPY clients ./clients
COPY alembic ./alembic
RUN pip wheel --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HINDSIGHT_DATA_DIR=/data \
    HINDSIGHT_DATABASE_URL=sqlite:////data/hindsight.db \
    HINDSIGHT_INDEX_DIR=/data/index

RUN useradd --create-home --uid 10001 hindsight && mkdir /data && chown hindsight /data
COPY --from=wheel /wheels /tmp/wheels
RUN pip install /tmp/wheels/hindsight-*.whl && rm -rf /tmp/wheels

USER hindsight
# An empty folder of its own: nothing is read from beside the code.
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
# SQLite upgrades itself on start; with HINDSIGHT_DATABASE_URL on PostgreSQL, run
# `hindsight migrate` once per release (e.g. `docker run --rm <image> hindsight migrate`).
CMD ["hindsight", "serve", "--host", "0.0.0.0", "--port", "8000"]
