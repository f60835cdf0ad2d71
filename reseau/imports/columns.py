"""What each column of an imported file holds: matched from its header, French or English,
with or without accents, capitals, spaces or hyphens; the person may change it in the form."""

from __future__ import annotations

import re
import unicodedata

from reseau.accounts.models import Category

# field -> its label in the form; the order of the template file's columns.
FIELDS = {
    "first_name": "Prénom",
    "last_name": "Nom",
    "email": "E-mail",
    "phone": "Téléphone",
    "category": "Catégorie",
    "sub_category": "Sous-catégorie",
    "centre": "Centre social",
}
# Headers as people write them, once folded (see ``fold``).
HEADERS = {
    "first_name": {"prenom", "prenoms", "firstname", "givenname", "forename", "first"},
    "last_name": {
        "nom",
        "nomdefamille",
        "nomdenaissance",
        "nomdusage",
        "lastname",
        "surname",
        "familyname",
        "name",
        "last",
    },
    "email": {
        "email",
        "mail",
        "courriel",
        "adressemail",
        "adresseemail",
        "adressecourriel",
        "adresseelectronique",
        "emailaddress",
        "mel",
    },
    "phone": {
        "telephone",
        "tel",
        "phone",
        "portable",
        "mobile",
        "telephoneportable",
        "numerodetelephone",
        "phonenumber",
        "telephonenumber",
        "cellphone",
    },
    "category": {"categorie", "category", "statut", "status", "type", "public"},
    "sub_category": {
        "souscategorie",
        "subcategory",
        "precision",
        "fonction",
        "qualite",
        "role",
        "detail",
    },
    "centre": {"centre", "centresocial", "center", "centre social", "structure", "centrename"},
}


def fold(text: str) -> str:
    """Lower case, without accents, spaces or punctuation: « E-mail » and « email » alike."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return re.sub(r"[^a-z0-9]", "", "".join(c for c in decomposed if not unicodedata.combining(c)))


def match_header(header: list[str], *, with_centre: bool) -> dict[int, str]:
    """Return {column index: field} for the columns whose header names a field; each field
    once (the first column wins)."""
    mapping: dict[int, str] = {}
    for index, title in enumerate(header):
        folded = fold(title)
        for name, names in HEADERS.items():
            if name == "centre" and not with_centre:
                continue
            if folded in {fold(n) for n in names} and name not in mapping.values():
                mapping[index] = name
                break
    return mapping


# Category cells as people write them (folded), beside the labels themselves.
CATEGORY_WORDS = {
    Category.BENEVOLE: {"benevole", "benevoles", "volunteer", "volontaire", "b"},
    Category.SALARIE: {
        "salarie",
        "salariee",
        "salariees",
        "salaries",
        "employe",
        "employee",
        "staff",
        "professionnel",
        "professionnelle",
        "s",
    },
    Category.ELU: {
        "elu",
        "elue",
        "elus",
        "elues",
        "administrateur",
        "administratrice",
        "administrateurrice",
        "eluadministrateur",
        "eluadministrateurrice",
        "elueadministrateurrice",
        "boardmember",
        "board",
        "trustee",
    },
    Category.PARTENAIRE: {"partenaire", "partenaires", "partner"},
}
_CATEGORY_INDEX = {
    **{fold(word): category for category, words in CATEGORY_WORDS.items() for word in words},
    **{fold(c.value): c for c in Category},
    **{fold(c.label): c for c in Category},
}


def parse_category(text: str) -> Category | None:
    """Return the category a cell names (« Bénévole », « salariée », « Élu·e »…), or None."""
    return _CATEGORY_INDEX.get(fold(text)) if text else None


def category_names() -> str:
    """The accepted categories, as the help text and the messages list them."""
    return ", ".join(c.label for c in Category)
