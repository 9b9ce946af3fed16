# The API and scheduler image. dlib comes from the prebuilt dlib-bin wheel; nothing is compiled.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN pip install --no-cache-dir "setuptools<82" wheel dlib-bin \
 && pip install --no-cache-dir --no-deps face-recognition face-recognition-models
COPY pyproject.toml README.md ./
COPY reporting_api ./reporting_api
COPY scheduler ./scheduler
COPY liveness ./liveness
COPY admin_ui ./admin_ui
RUN pip install --no-cache-dir .
RUN useradd --create-home --uid 10001 app
USER app
EXPOSE 8000
CMD ["bail-checkin", "serve", "--host", "0.0.0.0", "--port", "8000"]
