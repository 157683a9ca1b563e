"""Sends one message with Python's smtplib, a real SMTP client.

usage: python3 smtp_send.py HOST PORT FROM TO[,TO...] MESSAGE_FILE [CA_FILE]
The message file is sent as bytes, as it is (smtplib dot-stuffs it). With CA_FILE, the client says STARTTLS first
and checks the server's certificate against that authority (and HOST against the certificate). Prints the refused
recipients ({} if none).
"""
import smtplib
import ssl
import sys

host, port, sender, recipients, path = sys.argv[1:6]
cafile = sys.argv[6] if len(sys.argv) > 6 else None
with open(path, "rb") as f:
    message = f.read()
with smtplib.SMTP(host, int(port), timeout=10) as smtp:
    if cafile:
        smtp.starttls(context=ssl.create_default_context(cafile=cafile))
    refused = smtp.sendmail(sender, recipients.split(","), message)
print("refused:", refused)
