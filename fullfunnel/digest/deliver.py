"""Delivering digests: e-mail over SMTP, a Telegram chat through the Bot API, a PDF through Chromium.

Settings come from the secrets file (fullfunnel/secrets.py):

    [smtp]                                   [telegram]
    host = "smtp.example.com"                bot_token = "123456:ABC…"
    port = 587                               chat_id = "-1001234567890"
    security = "starttls"  # ssl | none      api_url = "https://api.telegram.org"  # optional
    user = "…"; password = "…"
    from = "fullfunnel@example.com"
    to = ["owner@example.com"]

Every failure is a `DeliveryFailed` with one sentence saying what refused and what to check.
"""
from __future__ import annotations

import os
import shutil
import smtplib
import socket
import ssl
import subprocess
import tempfile
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from fullfunnel import FullfunnelError

WAYS = ("email", "telegram")
TELEGRAM_API = "https://api.telegram.org"
CAPTION_MAX = 1024  # Telegram's limit for a photo caption


class DeliveryFailed(FullfunnelError):
    pass


def configured(secrets: dict[str, Any]) -> list[str]:
    """The ways the secrets file sets up: email when [smtp] has host, from and to; telegram with token and chat."""
    out = []
    smtp = secrets.get("smtp") or {}
    if isinstance(smtp, dict) and smtp.get("host") and smtp.get("from") and smtp.get("to"):
        out.append("email")
    tg = secrets.get("telegram") or {}
    if isinstance(tg, dict) and tg.get("bot_token") and tg.get("chat_id"):
        out.append("telegram")
    return out


# ---------------------------------------------------------------- e-mail


def _recipients(to) -> list[str]:
    if isinstance(to, str):
        to = [x.strip() for x in to.split(",")]
    return [str(x).strip() for x in to if str(x).strip()]


def email(smtp: dict[str, Any], subject: str, html: str, text: str,
          attachment: tuple[str, bytes, str] | None = None, images: list[tuple[str, bytes]] = (),
          timeout: float = 30) -> list[str]:
    """Send one message (HTML with a plain-text alternative, its chart images inline, the file attached);
    returns the recipients."""
    host, security = str(smtp["host"]), str(smtp.get("security") or "starttls").lower()
    if security not in ("starttls", "ssl", "none"):
        raise DeliveryFailed(f"[smtp] security must be starttls, ssl or none, not {security!r}.")
    port = int(smtp.get("port") or {"ssl": 465, "starttls": 587, "none": 25}[security])
    to = _recipients(smtp["to"])
    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["To"] = subject, str(smtp["from"]), ", ".join(to)
    msg["Date"], msg["Message-ID"] = formatdate(localtime=True), make_msgid(domain="fullfunnel")
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    if images:
        body = msg.get_payload()[-1]
        for cid, data in images:
            body.add_related(data, maintype="image", subtype="png", cid=f"<{cid}>", filename=f"{cid}.png")
    if attachment:
        name, data, mime = attachment
        maintype, subtype = mime.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    where = f"{host}:{port}"
    try:
        if security == "ssl":
            server = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(host, port, timeout=timeout)
        with server:
            if security == "starttls":
                server.starttls(context=ssl.create_default_context())
            if smtp.get("user"):
                server.login(str(smtp["user"]), str(smtp.get("password") or ""))
            refused = server.send_message(msg, to_addrs=to)
    except smtplib.SMTPAuthenticationError as e:
        raise DeliveryFailed(f"The mail server {where} refused the login of {smtp.get('user')!r} "
                             f"({e.smtp_code} {_reply(e.smtp_error)}): check [smtp] user and password.") from None
    except smtplib.SMTPRecipientsRefused as e:
        bad = ", ".join(f"{a} ({c} {_reply(m)})" for a, (c, m) in e.recipients.items())
        raise DeliveryFailed(f"The mail server {where} refused every recipient: {bad}.") from None
    except smtplib.SMTPSenderRefused as e:
        raise DeliveryFailed(f"The mail server {where} refused the sender {e.sender} "
                             f"({e.smtp_code} {_reply(e.smtp_error)}): check [smtp] from.") from None
    except smtplib.SMTPNotSupportedError:
        raise DeliveryFailed(f"The mail server {where} does not offer STARTTLS: set [smtp] security to "
                             "\"ssl\" (port 465) or \"none\".") from None
    except smtplib.SMTPResponseException as e:
        raise DeliveryFailed(f"The mail server {where} refused the message ({e.smtp_code} "
                             f"{_reply(e.smtp_error)}).") from None
    except (smtplib.SMTPException, ssl.SSLError) as e:
        raise DeliveryFailed(f"Sending mail through {where} failed: {e}.") from None
    except (socket.timeout, TimeoutError):
        raise DeliveryFailed(f"The mail server {where} did not answer within {timeout:g} s.") from None
    except OSError as e:
        raise DeliveryFailed(f"Cannot reach the mail server {where} ({e.strerror or e}): check [smtp] host "
                             "and port.") from None
    if refused:
        raise DeliveryFailed("The mail server refused some recipients: " + ", ".join(refused) + ".")
    return to


def _reply(x) -> str:
    return (x.decode("utf-8", "replace") if isinstance(x, bytes) else str(x)).strip()


# ---------------------------------------------------------------- Telegram


def telegram(tg: dict[str, Any], text: str, photo: bytes | None = None,
             document: tuple[str, bytes, str] | None = None, timeout: float = 30) -> None:
    """Post the summary (as the chart's caption when there is a chart), then the file, to the chat."""
    import requests

    base = str(tg.get("api_url") or TELEGRAM_API).rstrip("/")
    token, chat = str(tg["bot_token"]), str(tg["chat_id"])

    def call(method: str, data: dict, files: dict | None = None) -> None:
        try:
            r = requests.post(f"{base}/bot{token}/{method}", data=data, files=files, timeout=timeout)
        except requests.RequestException as e:
            raise DeliveryFailed(f"Cannot reach the Telegram Bot API at {base} ({type(e).__name__}).") from None
        try:
            body = r.json()
        except ValueError:
            body = {}
        if r.status_code == 200 and body.get("ok"):
            return
        why = body.get("description") or r.reason or "no reason given"
        if r.status_code in (401, 404):
            raise DeliveryFailed(f"Telegram refused the bot token ({r.status_code} {why}): check [telegram] "
                                 "bot_token in the secrets file.")
        if r.status_code in (400, 403) and "chat" in why.lower():
            raise DeliveryFailed(f"Telegram cannot post to the chat {chat} ({r.status_code} {why}): check "
                                 "[telegram] chat_id and that the bot is a member of the chat.")
        raise DeliveryFailed(f"Telegram refused {method} ({r.status_code} {why}).")

    if photo is not None and len(text) <= CAPTION_MAX:
        call("sendPhoto", {"chat_id": chat, "caption": text}, {"photo": ("chart.png", photo, "image/png")})
    else:
        call("sendMessage", {"chat_id": chat, "text": text})
        if photo is not None:
            call("sendPhoto", {"chat_id": chat}, {"photo": ("chart.png", photo, "image/png")})
    if document is not None:
        name, data, mime = document
        call("sendDocument", {"chat_id": chat}, {"document": (name, data, mime)})


# ---------------------------------------------------------------- PDF


def chromium_path() -> str:
    for cand in (os.environ.get("FULLFUNNEL_CHROMIUM"), "chromium", "chromium-browser", "google-chrome",
                 "/usr/bin/chromium"):
        if cand and (found := shutil.which(cand)):
            return found
    raise DeliveryFailed("Making a PDF needs Chromium: install it (Debian/Ubuntu: apt-get install chromium) or "
                         "point $FULLFUNNEL_CHROMIUM at a Chrome or Chromium binary.")


def pdf(html: str, timeout: float = 120) -> bytes:
    """Print the HTML to PDF with headless Chromium (offline: the digest has nothing to fetch)."""
    exe = chromium_path()
    with tempfile.TemporaryDirectory(prefix="fullfunnel-pdf-") as tmp:
        src, out = Path(tmp) / "digest.html", Path(tmp) / "digest.pdf"
        src.write_text(html, encoding="utf-8")
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
               "--disable-background-networking", f"--user-data-dir={tmp}/profile", f"--print-to-pdf={out}",
               src.as_uri()]
        try:
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise DeliveryFailed(f"Chromium did not finish the PDF within {timeout:g} s.") from None
        if not out.exists() or out.stat().st_size == 0:
            raise DeliveryFailed(f"Chromium ({exe}) did not write the PDF.")
        return out.read_bytes()
