#!/usr/bin/python3
"""make_sample.py — writes a deterministic, mailbox-sized sample of messages for the MIME
parse benchmark (bench/mime/run).

Usage: make_sample.py [N] DIR      (N defaults to 10000)

Writes DIR/00000.eml ... one message per file, CRLF line ends (as the SMTP server
receives them), and prints the count and total size. Message i depends only on i (each
has its own seeded generator), so the same N always gives the same bytes and a smaller N
gives a prefix of a larger sample.

The mix imitates the mailbox of someone at MA SOCIETE (docs: /work/shared/seed/DEMO.md),
French text with accents:
  52%  text/plain, 2-20 KB: UTF-8 in 8bit or quoted-printable, some ISO-8859-1 or
       windows-1252 quoted-printable (Outlook), replies quoting the previous message;
  26%  multipart/alternative, text/plain + text/html, quoted-printable (webmail style);
   6%  newsletters: alternative > (plain, related > (HTML, inline PNG of 5-40 KB));
   6%  forwarded: mixed > (plain, message/rfc822 holding a plain or alternative message,
       sometimes with a small PDF);
   3%  multipart/mixed with 1-3 base64 attachments of 50 KB-2 MB (most below 150 KB);
   7%  multipart/mixed with one small attachment (ICS invitation, 5-40 KB PDF or PNG).
Attachments are random bytes (as incompressible as PDF and JPEG). About 200 MB for
10,000 messages.
"""
import base64
import datetime
import os
import quopri
import random
import sys

PEOPLE = [
    ('Jean Martin', 'jean.martin@ma-societe.fr'),
    ('Sophie Bernard', 'sophie.bernard@ma-societe.fr'),
    ('Luc Petit', 'luc.petit@ma-societe.fr'),
    ('Emma Durand', 'emma.durand@ma-societe.fr'),
]
SHARED = ['contact@ma-societe.fr', 'support@ma-societe.fr', 'compta@ma-societe.fr',
          'accueil@ma-societe.fr', 'commercial@ma-societe.fr', 'direction@ma-societe.fr']
OUTSIDERS = [
    ('Hélène Lefèvre', 'helene.lefevre@example.fr'),
    ('François Mercier', 'f.mercier@example.com'),
    ('Cécile Rousseau', 'cecile.rousseau@example.org'),
    ('Benoît Garçon', 'benoit.garcon@example.fr'),
    ('Service clients Exemple', 'service-clients@example.com'),
    ('Zoé Fournier', 'zoe.fournier@example.net'),
    ('Jérôme Dubœuf', 'jerome.duboeuf@example.fr'),
    ('Agnès Lambert', 'agnes@example.org'),
]
SUBJECTS = [
    'Facture n° {n} — échéance du {d}', 'Réunion de l’équipe jeudi', 'Re: Devis pour la '
    'maintenance annuelle', 'Votre commande {n} a été expédiée', 'Congés d’été : planning',
    'Problème d’accès à la messagerie', 'Relance : règlement en attente', 'Compte rendu du '
    'comité du {d}', 'Invitation : déjeuner client', 'Mise à jour du contrat de '
    'prestation', 'Question sur la livraison', 'Bon de commande signé', 'Rappel : '
    'inventaire trimestriel', 'Demande de congé', 'Nouvelle procédure d’accueil',
    'Newsletter MA SOCIETE — les nouveautés de {m}', 'Fwd: Proposition commerciale',
    'Ticket #{n} : imprimante du 2e étage', 'Rendez-vous confirmé', 'Relevé de compte',
]
WORDS = (
    'le la les un une des du de et à au aux pour par avec sans dans sur sous chez entre '
    'nous vous ils elles notre votre leur leurs ce cette ces son sa ses est sont été être '
    'avoir a ont fait faire peut pouvez devons doit merci bonjour cordialement rapidement '
    'facture devis commande livraison client fournisseur réunion équipe projet délai '
    'échéance règlement paiement comptabilité prestation contrat maintenance serveur '
    'messagerie accès problème solution réponse question demande suivi dossier pièce '
    'jointe document version modification validé prévu réalisé reçu envoyé transmis '
    'semaine prochaine dernière année trimestre mois janvier février mars avril mai juin '
    'juillet août septembre octobre novembre décembre lundi mardi mercredi jeudi vendredi '
    'matin après-midi bureau siège agence téléphone rappeler confirmer vérifier préparer '
    'organiser planifier prévoir noter signaler intégrer mettre à jour généralement '
    'également néanmoins toutefois très bien déjà encore toujours ensuite enfin hélas '
    'économie qualité sécurité intérêt élève déçu créé été hôtel fenêtre garçon façade '
    'reçu français noël où là déjà cœur œuvre prêt intégré numéro coût frais €'
).split()
SIGNATURES = {
    'jean.martin@ma-societe.fr': 'Jean Martin\r\nDirecteur général — MA SOCIETE\r\n'
                                 'Tél. 01 23 45 67 89',
    'sophie.bernard@ma-societe.fr': 'Sophie Bernard\r\nAccueil et comptabilité — MA SOCIETE',
    'luc.petit@ma-societe.fr': 'Luc Petit\r\nSupport technique — MA SOCIETE',
    'emma.durand@ma-societe.fr': 'Emma Durand\r\nCommerciale — MA SOCIETE\r\n'
                                 'Port. 06 12 34 56 78',
}
MAILERS = ['Mozilla Thunderbird 115.8', 'Microsoft Outlook 16.0', 'Apple Mail (2.3774)',
           'Roundcube Webmail/1.6.5', 'K-9 Mail for Android']


class Gen:
    """The generator of one message, seeded by its index."""

    def __init__(self, index):
        self.r = random.Random(f'mailfountain-bench-{index}')
        self.index = index
        self.boundary_count = 0
        self.when = datetime.datetime(2026, 1, 1) + datetime.timedelta(
            seconds=self.r.randint(0, 364 * 24 * 3600))
        self.zone = '+0100' if self.when.month < 4 or self.when.month > 10 else '+0200'

    # -- text ------------------------------------------------------------------------
    def sentence(self):
        words = [self.r.choice(WORDS) for _ in range(self.r.randint(6, 18))]
        words[0] = words[0].capitalize()
        return ' '.join(words) + self.r.choice(['.', '.', '.', ' ?', ' !'])

    def paragraphs(self, size):
        """French paragraphs totalling about `size` bytes of UTF-8, as a list."""
        out, total = [], 0
        while total < size:
            p = ' '.join(self.sentence() for _ in range(self.r.randint(2, 6)))
            out.append(p)
            total += len(p.encode()) + 2
        return out

    @staticmethod
    def wrap(paragraph, width=72):
        lines, line = [], ''
        for word in paragraph.split(' '):
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f'{line} {word}' if line else word
        lines.append(line)
        return '\r\n'.join(lines)

    def plain_text(self, size, sender, quote=False):
        name = self.r.choice(PEOPLE + OUTSIDERS)[0].split()[0]
        parts = [f'Bonjour {name},'] + [self.wrap(p) for p in self.paragraphs(size)]
        parts.append('Cordialement,\r\n-- \r\n' + SIGNATURES.get(sender, sender))
        text = '\r\n\r\n'.join(parts) + '\r\n'
        if quote:
            quoted = self.wrap(' '.join(self.paragraphs(size // 2)), 70).split('\r\n')
            text += (f'\r\nLe {self.r.randint(1, 28)}/0{self.r.randint(1, 9)}/2026 à '
                     f'{self.r.randint(8, 18)}:{self.r.randint(10, 59)}, {name} a écrit :\r\n')
            text += '\r\n'.join('> ' + q for q in quoted) + '\r\n'
        return text

    def html_of(self, text, newsletter=False):
        style = 'margin:0 0 12px 0;font-family:Arial,sans-serif;font-size:14px;color:#333333'
        body = ''.join(f'<p style="{style}">' + p.replace('\r\n', '<br>') + '</p>\r\n'
                       for p in text.split('\r\n\r\n'))
        if newsletter:
            body = ('<table width="600" cellpadding="0" cellspacing="0" border="0" '
                    'style="background:#ffffff"><tr><td>\r\n<img src="cid:logo@ma-societe.fr" '
                    'alt="MA SOCIETE" width="200">\r\n' + body + '</td></tr></table>\r\n'
                    '<p style="font-size:11px;color:#999999">Vous recevez ce message car vous '
                    'êtes inscrit à la liste « Clients ». <a href="https://ma-societe.fr/'
                    f'desinscription?id={self.index}">Se désinscrire</a></p>\r\n')
        return ('<!DOCTYPE html>\r\n<html><head><meta http-equiv="Content-Type" '
                'content="text/html; charset=UTF-8"></head>\r\n<body>\r\n' + body +
                '</body></html>\r\n')

    # -- encodings -------------------------------------------------------------------
    @staticmethod
    def qp(data):
        encoded = quopri.encodestring(data.replace(b'\r\n', b'\n'))
        return encoded.replace(b'\n', b'\r\n')

    @staticmethod
    def b64(data):
        return base64.encodebytes(data).replace(b'\n', b'\r\n')

    @staticmethod
    def encoded_word(text):
        if text.isascii():
            return text
        q = ''.join(c if c.isalnum() and c.isascii() else
                    ('_' if c == ' ' else ''.join(f'={b:02X}' for b in c.encode()))
                    for c in text)
        if len(q) <= 60:
            return f'=?UTF-8?Q?{q}?='
        raw = text.encode()
        words = []
        while raw:  # B words of at most 45 bytes, never splitting a character
            cut = min(45, len(raw))
            while cut < len(raw) and (raw[cut] & 0xC0) == 0x80:
                cut -= 1
            words.append('=?UTF-8?B?' + base64.b64encode(raw[:cut]).decode() + '?=')
            raw = raw[cut:]
        return '\r\n '.join(words)

    def boundary(self):
        self.boundary_count += 1
        return f'----=_Part_{self.index}_{self.boundary_count}.{self.r.getrandbits(40):x}'

    # -- entities --------------------------------------------------------------------
    def text_leaf(self, text, subtype='plain'):
        """A text/* entity (header + body bytes) in one of the usual encodings."""
        style = self.r.random()
        if subtype == 'plain' and style < 0.15:
            charset = self.r.choice(['iso-8859-1', 'windows-1252'])
            if charset == 'iso-8859-1':
                text = text.replace('’', "'").replace('œ', 'oe').replace('Œ', 'OE')
                text = text.replace('€', 'EUR').replace('—', '-').replace('«', '"')
            data = text.encode(charset, errors='replace')
            return (f'Content-Type: text/plain; charset="{charset}"\r\n'
                    'Content-Transfer-Encoding: quoted-printable\r\n\r\n').encode() + self.qp(data)
        data = text.encode()
        if subtype == 'plain' and style < 0.5:
            flowed = '; format=flowed' if self.r.random() < 0.5 else ''
            return (f'Content-Type: text/plain; charset=UTF-8{flowed}\r\n'
                    'Content-Transfer-Encoding: 8bit\r\n\r\n').encode() + data
        return (f'Content-Type: text/{subtype}; charset=UTF-8\r\n'
                'Content-Transfer-Encoding: quoted-printable\r\n\r\n').encode() + self.qp(data)

    def multipart(self, subtype, children, extra=''):
        b = self.boundary()
        out = [f'Content-Type: multipart/{subtype};{extra}\r\n boundary="{b}"\r\n\r\n'.encode()]
        if self.r.random() < 0.3:
            out.append(b'This is a multi-part message in MIME format.\r\n')
        for child in children:
            out.append(f'--{b}\r\n'.encode() + child + b'\r\n')
        out.append(f'--{b}--\r\n'.encode())
        return b''.join(out)

    def attachment(self, size, kind=None):
        kind = kind or self.r.choice(['pdf', 'pdf', 'jpg', 'docx', 'xlsx', 'png', 'zip'])
        types = {'pdf': 'application/pdf', 'jpg': 'image/jpeg', 'png': 'image/png',
                 'zip': 'application/zip',
                 'docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
                 'xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'}
        stem = self.r.choice(['Facture', 'Devis', 'Contrat', 'Photo', 'Relevé', 'Planning',
                              'Compte rendu', 'Bon de commande'])
        name = f'{stem} {self.r.randint(2026001, 2026999)}.{kind}'
        if name.isascii():
            params = f'name="{name}"', f'filename="{name}"'
        else:  # RFC 2231 for the disposition, RFC 2047 in name as Outlook writes it
            pct = ''.join(chr(b) if chr(b).isalnum() or chr(b) in '.-_' else f'%{b:02X}'
                          for b in name.encode())
            params = f'name="{self.encoded_word(name)}"', f"filename*=utf-8''{pct}"
        head = (f'Content-Type: {types[kind]};\r\n {params[0]}\r\n'
                f'Content-Disposition: attachment;\r\n {params[1]}\r\n'
                'Content-Transfer-Encoding: base64\r\n\r\n')
        return head.encode() + self.b64(self.r.randbytes(size))

    def big_size(self):
        # 50 KB to 2 MB, skewed to the small end: median about 65 KB, mean about 205 KB.
        return int(50_000 * 40 ** (self.r.random() ** 4))

    # -- messages --------------------------------------------------------------------
    def date(self, delay=0):
        """The message's date, `delay` seconds later (for the Received fields)."""
        when = self.when + datetime.timedelta(seconds=delay)
        # Not strftime: its day and month names follow the locale.
        day = 'Mon Tue Wed Thu Fri Sat Sun'.split()[when.weekday()]
        month = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split()[when.month - 1]
        return f'{day}, {when.day} {month} {when:%Y %H:%M:%S} {self.zone}'

    def address(self, person):
        name, addr = person
        return f'{self.encoded_word(name)} <{addr}>' if name else addr

    def top_header(self, sender, recipients, subject, reply=False, newsletter=False):
        h = [f'Return-Path: <{sender[1]}>']
        for hop in range(self.r.randint(2, 4)):
            h.append(f'Received: from mx{hop}.example.net (mx{hop}.example.net '
                     f'[192.0.2.{self.r.randint(1, 254)}])\r\n\tby mail.ma-societe.fr '
                     f'(MailFountain) with ESMTPS id {self.r.getrandbits(48):012X}\r\n'
                     f'\tfor <{recipients[0][1]}>; {self.date(60 * (3 - hop))}')
        if self.r.random() < 0.6:
            sig = base64.b64encode(self.r.randbytes(192)).decode()
            h.append('DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; '
                     f'd={sender[1].split("@")[1]};\r\n\ts=mail; t={1767225600 + self.index};'
                     f'\r\n\th=from:to:subject:date:message-id;\r\n\tbh='
                     f'{base64.b64encode(self.r.randbytes(32)).decode()};\r\n'
                     f'\tb={sig[:70]}\r\n\t {sig[70:140]}\r\n\t {sig[140:]}')
            h.append('Authentication-Results: mail.ma-societe.fr; dkim=pass '
                     f'header.d={sender[1].split("@")[1]}; spf=pass smtp.mailfrom='
                     f'{sender[1]}')
        h.append(f'Message-ID: <{self.r.getrandbits(64):016x}.{self.index}@'
                 f'{sender[1].split("@")[1]}>')
        if reply:
            refs = [f'<{self.r.getrandbits(64):016x}@ma-societe.fr>'
                    for _ in range(self.r.randint(1, 6))]
            h.append(f'In-Reply-To: {refs[-1]}')
            h.append('References: ' + '\r\n '.join(refs))
        h.append(f'Date: {self.date()}')
        h.append(f'From: {self.address(sender)}')
        h.append('To: ' + ',\r\n '.join(self.address(p) for p in recipients))
        if self.r.random() < 0.25:
            h.append(f'Cc: {self.address(self.r.choice(PEOPLE))}, '
                     f'{self.r.choice(SHARED)}')
        h.append(f'Subject: {self.encoded_word(subject)}')
        h.append('MIME-Version: 1.0')
        if newsletter:
            h.append('List-Unsubscribe: <https://ma-societe.fr/desinscription?id='
                     f'{self.index}>, <mailto:desinscription@ma-societe.fr>')
            h.append('List-Unsubscribe-Post: List-Unsubscribe=One-Click')
            h.append('Precedence: bulk')
        else:
            h.append(f'User-Agent: {self.r.choice(MAILERS)}')
        return ('\r\n'.join(h) + '\r\n').encode()

    def subject(self):
        s = self.r.choice(SUBJECTS)
        return s.format(n=self.r.randint(1000, 99999), d=f'{self.r.randint(1, 28)}/0'
                        f'{self.r.randint(1, 9)}', m=self.r.choice(['mars', 'août', 'février']))

    def message(self):
        r = self.r
        kind = r.random()
        inbound = r.random() < 0.6
        sender = r.choice(OUTSIDERS if inbound else PEOPLE)
        recipients = [r.choice(PEOPLE) for _ in range(r.choice([1, 1, 1, 2, 3]))]
        subject = self.subject()
        reply = subject.startswith('Re:') or r.random() < 0.3
        size = int(1500 * 12 ** r.random())  # body text of 1.5 to 18 KB

        if kind < 0.52:
            body = self.text_leaf(self.plain_text(size, sender[1], quote=reply))
            return self.top_header(sender, recipients, subject, reply) + body
        if kind < 0.78:
            text = self.plain_text(size // 2, sender[1], quote=reply)
            body = self.multipart('alternative', [self.text_leaf(text, 'plain'),
                                                  self.text_leaf(self.html_of(text), 'html')])
            return self.top_header(sender, recipients, subject, reply) + body
        if kind < 0.84:  # newsletter from the "Clients" campaign
            sender = ('MA SOCIETE', 'commercial@ma-societe.fr')
            text = self.plain_text(size // 2, sender[1])
            logo = self.attachment(r.randint(5_000, 40_000), 'png')
            logo = logo.replace(b'Content-Disposition: attachment', b'Content-ID: '
                                b'<logo@ma-societe.fr>\r\nContent-Disposition: inline', 1)
            related = self.multipart('related', [self.text_leaf(self.html_of(text, True), 'html'),
                                                 logo], ' type="text/html";')
            body = self.multipart('alternative', [self.text_leaf(text), related])
            subject = 'Newsletter MA SOCIETE — les nouveautés du mois'
            return self.top_header(sender, [r.choice(OUTSIDERS)], subject, newsletter=True) + body
        if kind < 0.90:  # forwarded as attachment
            inner_sender = r.choice(OUTSIDERS)
            inner_subject = self.subject()
            inner_text = self.plain_text(size // 2, inner_sender[1])
            if r.random() < 0.5:
                inner_body = self.text_leaf(inner_text)
            else:
                inner_body = self.multipart('alternative', [
                    self.text_leaf(inner_text), self.text_leaf(self.html_of(inner_text), 'html')])
            if r.random() < 0.3:
                inner_body = self.multipart('mixed', [inner_body,
                                                      self.attachment(r.randint(5_000, 60_000))])
            inner = self.top_header(inner_sender, [sender], inner_subject) + inner_body
            fwd = ('Content-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\n'
                   ).encode() + inner
            note = self.text_leaf(self.plain_text(800, sender[1]))
            body = self.multipart('mixed', [note, fwd])
            return self.top_header(sender, recipients, 'Fwd: ' + inner_subject) + body
        if kind < 0.93:  # large attachments
            text = self.plain_text(size // 3, sender[1])
            first = (self.text_leaf(text) if r.random() < 0.5 else self.multipart(
                'alternative', [self.text_leaf(text), self.text_leaf(self.html_of(text), 'html')]))
            files = [self.attachment(self.big_size()) for _ in range(r.choice([1, 1, 1, 2, 3]))]
            return self.top_header(sender, recipients, subject) + self.multipart(
                'mixed', [first] + files)
        # one small attachment: an invitation or a scan
        text = self.plain_text(size // 3, sender[1])
        if r.random() < 0.4:
            ics = ('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n'
                   f'UID:{r.getrandbits(64):x}@ma-societe.fr\r\nSUMMARY:Réunion d’équipe\r\n'
                   'DTSTART:20260312T090000Z\r\nDTEND:20260312T100000Z\r\n'
                   'LOCATION:Salle de réunion\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n').encode()
            extra = (b'Content-Type: text/calendar; charset=UTF-8; method=REQUEST\r\n'
                     b'Content-Transfer-Encoding: base64\r\n\r\n' + self.b64(ics))
        else:
            extra = self.attachment(r.randint(5_000, 40_000), r.choice(['pdf', 'png']))
        return self.top_header(sender, recipients, subject) + self.multipart(
            'mixed', [self.text_leaf(text), extra])


def main():
    args = sys.argv[1:]
    if len(args) == 1:
        count, out = 10000, args[0]
    elif len(args) == 2 and args[0].isdigit():
        count, out = int(args[0]), args[1]
    else:
        sys.stderr.write('usage: make_sample.py [N] DIR\n')
        return 2
    os.makedirs(out, exist_ok=True)
    total = 0
    for i in range(count):
        data = Gen(i).message()
        with open(os.path.join(out, f'{i:05d}.eml'), 'wb') as f:
            f.write(data)
        total += len(data)
    print(f'make_sample: {count} messages, {total / 1e6:.1f} MB in {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
