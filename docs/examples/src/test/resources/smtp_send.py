"""Sends one message with Python's smtplib, a real SMTP client.

usage: python3 smtp_send.py HOST PORT FROM TO[,TO...] MESSAGE_FILE
The message file is sent as bytes, as it is (smtplib dot-stuffs it). Prints the refused recipients ({} if none).
"""
import smtplib
import sys

host, port, sender, recipients, path = sys.argv[1:]
with open(path, "rb") as f:
    message = f.read()
with smtplib.SMTP(host, int(port), timeout=10) as smtp:
    refused = smtp.sendmail(sender, recipients.split(","), message)
print("refused:", refused)
