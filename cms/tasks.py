import os
import socket

from celery import shared_task


@shared_task(name="cms.ping")
def ping(token: str) -> dict:
    """Answers with where it ran: health checks and CI prove a real worker executes tasks."""
    return {"token": token, "host": socket.gethostname(), "pid": os.getpid()}
