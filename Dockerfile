# One image for the web app, the workers and the scheduler.
FROM python:3.11-slim-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-jpn poppler-utils \
      fonts-noto-cjk fonts-ipaexfont-gothic fonts-ipaexfont-mincho \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
ENV OMP_THREAD_LIMIT=1 PYTHONUNBUFFERED=1
USER nobody
