"""The programme sheets (fiches programme) of the demo's modules, in the words of the seeds:
the 2012 training offer built from the regional diagnostic « avec l'apport des compétences
nationales » (FCSF, fonds FOSFORA), for the volunteers of the centres of the région Centre."""

from __future__ import annotations

from reseau.catalogue.models import Module

CONTACT = "Claire Moreau, coordination régionale — coordination@demo.reseau.test"
ACCESS_DELAY = "Inscription en ligne jusqu'à 8 jours avant la session, selon les places."
COST = (
    "Financé par le fonds FOSFORA (FCSF) et le FDVA. Pour un centre non adhérent : "
    "nous contacter. Repas du midi pris en charge pour les journées."
)
ACCESSIBILITY = (
    "Salles de plain-pied ou avec ascenseur dans les centres sociaux d'accueil. Un besoin "
    "d'aménagement (handicap, horaires, garde d'enfant) ? Dites-le à l'inscription ou "
    "écrivez à la coordination : nous adaptons la session."
)
METHODS = (
    "Apports courts, échanges de pratiques entre centres, travail en petits groupes sur des "
    "situations apportées par les participant·es."
)
ASSESSMENT = (
    "Tour de table des acquis en fin de séance, questionnaire de satisfaction à chaud, "
    "questionnaire à froid trois mois après."
)

# module title -> (prerequisites, content)
PROGRAMMES: dict[str, tuple[str, str]] = {
    "Histoire et valeurs des centres sociaux": (
        "Aucun : s'engager ou vouloir s'engager comme bénévole dans un centre social.",
        "L'histoire des centres sociaux, de l'éducation populaire à l'animation globale.\n"
        "La charte fédérale : dignité humaine, solidarité, démocratie.\n"
        "Passer du « je » au « nous » : ce que le Réseau apporte aux centres.",
    ),
    "Le projet social et l'agrément CAF": (
        "Avoir suivi « Histoire et valeurs des centres sociaux » ou connaître son centre.",
        "Le projet social et le contrat de projet ; l'agrément CAF et l'animation collective "
        "famille.\nLe diagnostic partagé, l'écriture et l'évaluation du projet.",
    ),
    "La participation des habitants au projet": (
        "Aucun.",
        "Les niveaux de participation (information, consultation, concertation, "
        "coproduction).\nLes leviers pour associer les habitants, à partir des actions des "
        "centres du Berry et du Cher.",
    ),
    "Les responsabilités de l'employeur associatif": (
        "Être administrateur·rice, ou sur le point de l'être, d'un centre social associatif.",
        "Le droit du travail et la convention collective de la branche ; les obligations du "
        "conseil d'administration ; la délégation au directeur ou à la directrice.",
    ),
    "Le dialogue entre bénévoles et salarié·es": (
        "Aucun.",
        "Les rôles de chacun·e, les délégations et les lieux de décision ; le travail conjoint "
        "bénévoles / salarié·es dans la vie associative.",
    ),
    "Évaluer en tant qu'employeur": (
        "Avoir suivi « Les responsabilités de l'employeur associatif ».",
        "L'entretien annuel, l'évaluation de l'activité sans la juger, la formation des "
        "salarié·es (Uniformation).",
    ),
    "Connaître ses partenaires : CAF, communes, Département, État": (
        "Aucun.",
        "Cartographier les partenaires et leurs compétences après la réforme des collectivités "
        "territoriales ; porter une parole commune auprès des interlocuteurs régionaux.",
    ),
    "Négocier et conventionner": (
        "Avoir suivi « Connaître ses partenaires » ou en avoir l'expérience.",
        "Préparer une négociation budgétaire ; la convention pluriannuelle et pluripartite ; "
        "le lobbying dans le respect du principe de subsidiarité.",
    ),
    "Communiquer sur son projet": (
        "Aucun.",
        "Faire savoir autant que savoir-faire : plaquettes, site, blogs départementaux, presse "
        "locale ; valoriser l'action du centre auprès des partenaires.",
    ),
}


def fill_programme(module: Module) -> None:
    """Fill the module's empty programme fields (running the demo again changes nothing)."""
    if module.title not in PROGRAMMES or module.content:
        return
    module.prerequisites, module.content = PROGRAMMES[module.title]
    module.methods = METHODS
    module.assessment = ASSESSMENT
    module.access_delay = ACCESS_DELAY
    module.free_for_members = True
    module.cost = COST
    module.accessibility = ACCESSIBILITY
    module.contact = CONTACT
