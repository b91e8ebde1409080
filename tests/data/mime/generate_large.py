#!/usr/bin/python3
"""generate_large.py DIR — writes DIR/large_attachment.eml, a message with a 1 MiB attachment.

The corpus keeps no large file in the repository; the cross-check test (tests/mime) runs
this script into its build directory first. The content is deterministic: the same bytes
on every run and every machine (SHA-256 of a counter, no randomness, no clock), so the
file's digests never change. CRLF line ends, base64 in 76-column lines, as Thunderbird
writes it.
"""
import base64
import hashlib
import os
import sys

ATTACHMENT_SIZE = 1024 * 1024
BOUNDARY = '------------L4rg3At7achm3ntB0und4ry0'

HEADER = '''\
Content-Type: multipart/mixed; boundary="{boundary}"
Message-ID: <4f0c7d2e-1a9b-4e35-8c60-b2d7e9f1a384@ma-societe.fr>
Date: Mon, 16 Mar 2026 15:30:12 +0100
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Content-Language: fr
To: Emma Durand <emma.durand@ma-societe.fr>
From: Jean Martin <jean.martin@ma-societe.fr>
Subject: =?UTF-8?Q?Catalogue_complet_2026_=28version_imprimeur=29?=

This is a multi-part message in MIME format.
--{boundary}
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 8bit

Emma,

Voici le catalogue complet pour l’imprimeur (1 Mo).

Jean

--{boundary}
Content-Type: application/pdf; name="Catalogue 2026.pdf"
Content-Disposition: attachment; filename="Catalogue 2026.pdf"
Content-Transfer-Encoding: base64

'''


def attachment_bytes():
    """1 MiB: a PDF signature, then SHA-256 blocks of a counter."""
    out = bytearray(b'%PDF-1.4\n')
    counter = 0
    while len(out) < ATTACHMENT_SIZE:
        out += hashlib.sha256(b'MailFountain large attachment %d' % counter).digest()
        counter += 1
    return bytes(out[:ATTACHMENT_SIZE])


def message_bytes():
    body = base64.encodebytes(attachment_bytes()).replace(b'\n', b'\r\n')
    head = HEADER.format(boundary=BOUNDARY).replace('\n', '\r\n').encode('utf-8')
    tail = ('\r\n--%s--\r\n' % BOUNDARY).encode('ascii')
    return head + body + tail


def main(argv):
    if len(argv) != 2:
        sys.stderr.write('usage: generate_large.py DIR\n')
        return 2
    os.makedirs(argv[1], exist_ok=True)
    path = os.path.join(argv[1], 'large_attachment.eml')
    with open(path, 'wb') as f:
        f.write(message_bytes())
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
