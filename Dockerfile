# The API and scheduler image. dlib comes from the prebuilt dlib-bin wheel; nothing is compiled.

# htmx for the officers' pages, from the npm registry (admin_ui/frontend/package-lock.json).
FROM node:20-slim AS admin-assets
WORKDIR /frontend
COPY admin_ui/frontend/package.json admin_ui/frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# The Thai font the risk report's PDF export draws with.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-thai-tlwg \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY reporting_api ./reporting_api
COPY scheduler ./scheduler
COPY liveness ./liveness
COPY admin_ui ./admin_ui
COPY --from=admin-assets /frontend/node_modules/htmx.org/dist/htmx.min.js ./admin_ui/static/vendor/
# As in the Makefile: face_recognition last and without dependencies (dlib-bin provides dlib).
RUN pip install --no-cache-dir "setuptools<82" wheel dlib-bin \
 && pip install --no-cache-dir . \
 && pip install --no-cache-dir --no-deps face-recognition face-recognition-models
RUN useradd --create-home --uid 10001 app
USER app
EXPOSE 8000
CMD ["bail-checkin", "serve", "--host", "0.0.0.0", "--port", "8000"]
