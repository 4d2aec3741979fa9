# Liaison's container image. The build runs the same scripts/install as a Debian server
# (no apt step for Python itself, no systemd: the compose file supervises web and worker).
FROM debian:bookworm-slim
ENV DEBIAN_FRONTEND=noninteractive PYTHONUNBUFFERED=1
# Build from an unpacked release archive (scripts/release), which carries htmx: no npm here.
COPY . /src
RUN apt-get update -q \
 && /src/scripts/install --no-systemd --no-migrate --prefix /opt/liaison --env-file /etc/liaison/build.env --data-dir /var/lib/liaison \
 && rm -f /etc/liaison/build.env && rm -rf /src /var/lib/apt/lists/* /root/.cache
WORKDIR /opt/liaison/current
USER liaison
ENV PATH=/opt/liaison/current/.venv/bin:$PATH DATA_DIR=/var/lib/liaison BIND=0.0.0.0:8000
VOLUME /var/lib/liaison
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
CMD ["gunicorn", "-c", "python:liaison.gunicorn_conf", "liaison.wsgi"]
