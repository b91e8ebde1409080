"""The benchmark's messages: deterministic (message i depends only on i), about 2 KB each,
CRLF line ends, plain text in UTF-8 with varied words, so that full-text searches read real
bodies. MARKER is in the body (never in the header) of the messages with i % 100 == 7,
1 % of them; no other word of the vocabulary contains it."""

import random

MARKER = "zanzibar"

_WORDS = (
    "devis facture livraison commande client fournisseur reunion rapport budget projet "
    "equipe planning semaine mois annee contrat signature paiement virement relance "
    "bureau dossier document piece jointe version brouillon validation direction "
    "service comptable juridique technique serveur messagerie compte adresse mot passe "
    "rendez-vous agenda salle visio appel telephone message reponse question demande "
    "proposition offre tarif remise delai retard urgence priorite suivi etape tache "
    "objectif resultat chiffre vente achat stock inventaire catalogue produit modele "
    "été hiver printemps automne café thé déjeuner dîner réponse équipe société"
).split()
_FIRST = "Emma Luc Sophie Hugo Chloé Louis Camille Jules Léa Arthur Manon Paul".split()
_LAST = "Durand Petit Bernard Martin Moreau Laurent Simon Michel Lefebvre Garcia".split()


def message(i):
    """Message i as bytes (CRLF line ends), 1.8-2.3 KB."""
    rng = random.Random(i)
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    sender = f"{first} {last}"
    local = f"{first}.{last}".lower().encode("ascii", "ignore").decode()
    subject = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 7))).capitalize()
    day = 1 + i % 28
    hour, minute = (i // 28) % 24, i % 60
    header = (
        f"From: {sender} <{local}@example.net>\r\n"
        "To: Bench <bench@ma-societe.fr>\r\n"
        f"Subject: =?utf-8?q?{_q(subject)}?=\r\n"
        f"Date: Mon, {day:02d} Nov 2026 {hour:02d}:{minute:02d}:00 +0100\r\n"
        f"Message-ID: <{i}.bench@example.net>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
    )
    target = rng.randint(1500, 2000)
    lines, size = [], 0
    marker_line = rng.randint(2, 12) if i % 100 == 7 else -1
    while size < target:
        words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 12))]
        if len(lines) == marker_line:
            words.insert(rng.randint(0, len(words)), MARKER)
        line = " ".join(words).capitalize() + "."
        lines.append(line)
        size += len(line.encode()) + 2
    if marker_line >= len(lines):
        lines.append(f"Voir {MARKER}.")
    return (header + "\r\n".join(lines) + "\r\n").encode("utf-8")


def _q(text):
    """RFC 2047 Q encoding of text (UTF-8)."""
    out = []
    for b in text.encode("utf-8"):
        c = chr(b)
        if c == " ":
            out.append("_")
        elif c.isascii() and c.isalnum():
            out.append(c)
        else:
            out.append(f"={b:02X}")
    return "".join(out)

