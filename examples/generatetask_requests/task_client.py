"""A small client of the generateTask format (sora-2-pro) on ``requests``."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests


class TaskError(Exception):
    """The API refused a request."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status


class TaskFailed(Exception):
    """A task ended without a video."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


@dataclass
class TaskClient:
    """Submit a task, wait for it, and fetch its result URLs."""

    base_url: str
    api_key: str
    poll_interval: float = 5.0
    sleep: Callable[[float], None] = time.sleep

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    def submit_text(
        self, prompt: str, *, width: int = 1280, height: int = 720, seconds: int = 10
    ) -> str:
        """Start a text-to-video task; return its id."""
        body = {
            "input": {
                "mode": "text-to-video",
                "prompt": prompt,
                "size": f"{width}*{height}",
                "duration": seconds,
            }
        }
        return self._submit(body)

    def _submit(self, body: dict[str, Any]) -> str:
        url = f"{self.base_url}/api/v1/generateTask/sora-2-pro"
        answer = requests.post(url, json=body, headers=self._headers(), timeout=30).json()
        if answer["code"] != 200:
            # The reason is in data.error ("message" only says "Invalid request").
            detail = (answer.get("data") or {}).get("error") or answer["message"]
            raise TaskError(answer["code"], detail)
        task_id: str = answer["data"]["taskId"]
        return task_id

    def wait(self, task_id: str) -> list[str]:
        """Poll until the task is done; return its result URLs."""
        url = f"{self.base_url}/api/v1/statusTask/sora-2-pro"
        while True:
            response = requests.get(
                url, params={"taskId": task_id}, headers=self._headers(), timeout=30
            )
            if response.status_code in (429, 500, 502, 503):
                self.sleep(self.poll_interval)
                continue
            data = response.json()["data"]
            if data["state"] == "success":
                urls: list[str] = json.loads(data["resultJson"])["resultUrls"]
                return urls
            if data["state"] == "failed":
                raise TaskFailed(data["failCode"], data["failMsg"])
            self.sleep(self.poll_interval)
