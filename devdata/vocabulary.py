"""The words and figures the demo and the generator are made of, taken from the seeds.

The seeds (``/work/shared/seeds``) are the network's real reports of 2011-2012 (Région Centre):
départements, centres sociaux, themes, cycles, comments of the 2012 bilan, the needs of the
2012 diagnostic. Centres the seeds name keep their names and towns; the others are plausible
centres of the same towns. ``member_since`` makes exactly 27 member centres at the end of
2011, as the 2011 report says ("27 adhérents fin 2011"); a few more join from 2012. The
generator's extra vocabulary (every French département, made-up centre names, streets) comes
last.
"""

from __future__ import annotations

import unicodedata
from datetime import date

from reseau.accounts.models import Category
from reseau.diagnostic.models import SkillLevel, TrainingWish


def ascii_slug(text: str) -> str:
    """Fold ``text`` to lower-case ASCII letters, digits and dashes (for e-mail addresses)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum() or ch == "-")


# Départements: the six of the Région Centre (the seeds' network) first, then the others.
# (code, name, chef-lieu)
_FRANCE = """18|Cher|Bourges;28|Eure-et-Loir|Chartres;36|Indre|Châteauroux;
37|Indre-et-Loire|Tours;41|Loir-et-Cher|Blois;45|Loiret|Orléans;01|Ain|Bourg-en-Bresse;
02|Aisne|Laon;03|Allier|Moulins;04|Alpes-de-Haute-Provence|Digne-les-Bains;05|Hautes-Alpes|Gap;
06|Alpes-Maritimes|Nice;07|Ardèche|Privas;08|Ardennes|Charleville-Mézières;09|Ariège|Foix;
10|Aube|Troyes;11|Aude|Carcassonne;12|Aveyron|Rodez;13|Bouches-du-Rhône|Marseille;
14|Calvados|Caen;15|Cantal|Aurillac;16|Charente|Angoulême;17|Charente-Maritime|La Rochelle;
19|Corrèze|Tulle;2A|Corse-du-Sud|Ajaccio;2B|Haute-Corse|Bastia;21|Côte-d'Or|Dijon;
22|Côtes-d'Armor|Saint-Brieuc;23|Creuse|Guéret;24|Dordogne|Périgueux;25|Doubs|Besançon;
26|Drôme|Valence;27|Eure|Évreux;29|Finistère|Quimper;30|Gard|Nîmes;31|Haute-Garonne|Toulouse;
32|Gers|Auch;33|Gironde|Bordeaux;34|Hérault|Montpellier;35|Ille-et-Vilaine|Rennes;
38|Isère|Grenoble;39|Jura|Lons-le-Saunier;40|Landes|Mont-de-Marsan;42|Loire|Saint-Étienne;
43|Haute-Loire|Le Puy-en-Velay;44|Loire-Atlantique|Nantes;46|Lot|Cahors;47|Lot-et-Garonne|Agen;
48|Lozère|Mende;49|Maine-et-Loire|Angers;50|Manche|Saint-Lô;51|Marne|Châlons-en-Champagne;
52|Haute-Marne|Chaumont;53|Mayenne|Laval;54|Meurthe-et-Moselle|Nancy;55|Meuse|Bar-le-Duc;
56|Morbihan|Vannes;57|Moselle|Metz;58|Nièvre|Nevers;59|Nord|Lille;60|Oise|Beauvais;
61|Orne|Alençon;62|Pas-de-Calais|Arras;63|Puy-de-Dôme|Clermont-Ferrand;
64|Pyrénées-Atlantiques|Pau;65|Hautes-Pyrénées|Tarbes;66|Pyrénées-Orientales|Perpignan;
67|Bas-Rhin|Strasbourg;68|Haut-Rhin|Colmar;69|Rhône|Lyon;70|Haute-Saône|Vesoul;
71|Saône-et-Loire|Mâcon;72|Sarthe|Le Mans;73|Savoie|Chambéry;74|Haute-Savoie|Annecy;
75|Paris|Paris;76|Seine-Maritime|Rouen;77|Seine-et-Marne|Melun;78|Yvelines|Versailles;
79|Deux-Sèvres|Niort;80|Somme|Amiens;81|Tarn|Albi;82|Tarn-et-Garonne|Montauban;83|Var|Toulon;
84|Vaucluse|Avignon;85|Vendée|La Roche-sur-Yon;86|Vienne|Poitiers;87|Haute-Vienne|Limoges;
88|Vosges|Épinal;89|Yonne|Auxerre;90|Territoire de Belfort|Belfort;91|Essonne|Évry-Courcouronnes;
92|Hauts-de-Seine|Nanterre;93|Seine-Saint-Denis|Bobigny;94|Val-de-Marne|Créteil;
95|Val-d'Oise|Cergy;971|Guadeloupe|Basse-Terre;972|Martinique|Fort-de-France;
973|Guyane|Cayenne;974|La Réunion|Saint-Denis;976|Mayotte|Mamoudzou"""
FRANCE: list[tuple[str, str, str]] = [
    tuple(item.strip().split("|"))
    for item in _FRANCE.split(";")  # type: ignore[misc]
]
# The demo's network: the six départements of the Région Centre. (code, name)
DEPARTMENTS: list[tuple[str, str]] = [(code, name) for code, name, _ in FRANCE[:6]]

# The seeds' centres, by département: "le réseau des centres sociaux du Cher" (five centres),
# the Indre, the Loiret ("tous les centres sociaux du département, soit 25 structures"),
# the Indre-et-Loire, the Loir-et-Cher ("8 des 9 centres sociaux du Loir-et-Cher") and the
# Eure-et-Loir ("le centre social en gestion municipale de St Georges sur Eure").
# département|name|town|postcode|address|member since (empty: not a member)
_CENTRES = """
18|Centre social La Chancellerie|Bourges|18000||2006-01-15
18|Centre social du Val d'Auron|Bourges|18000||2007-03-01
18|Centre social Le Rond-Point|Bourges|18000||2009-02-01
18|Centre social de Saint-Amand-Montrond|Saint-Amand-Montrond|18200||2008-01-20
18|Centre social de Vierzon|Vierzon|18100||2005-11-10
36|Centre social du Blanc|Le Blanc|36300|1, rue Jean Giraudoux|2005-11-10
36|Centre social de Châteauroux|Châteauroux|36000||2006-09-01
36|Centre social d'Issoudun|Issoudun|36100||2010-02-01
36|Centre social d'Argenton-sur-Creuse|Argenton-sur-Creuse|36200||2011-03-15
36|Centre social de La Châtre|La Châtre|36400||2013-01-10
45|Centre social de Saint-Jean-de-Braye|Saint-Jean-de-Braye|45800||2006-05-01
45|Centre social de La Source|Orléans|45100||2007-01-10
45|Centre social de l'Argonne|Orléans|45000||2008-04-01
45|Centre social des Blossières|Orléans|45000||2010-06-01
45|Centre social Saint-Marceau|Orléans|45100||2011-02-01
45|Centre social Dauphine|Orléans|45100||
45|Centre social de Fleury-les-Aubrais|Fleury-les-Aubrais|45400||2009-01-15
45|Centre social de Saint-Jean-de-la-Ruelle|Saint-Jean-de-la-Ruelle|45140||2008-10-01
45|Centre social de Saran|Saran|45770||2011-04-20
45|Centre social d'Ingré|Ingré|45140||
45|Centre social d'Olivet|Olivet|45160||2010-01-01
45|Centre social de Saint-Jean-le-Blanc|Saint-Jean-le-Blanc|45650||
45|Centre social de Saint-Denis-en-Val|Saint-Denis-en-Val|45560||
45|Centre social de Chécy|Chécy|45430||2011-05-01
45|Centre social de Châteauneuf-sur-Loire|Châteauneuf-sur-Loire|45110||2011-06-01
45|Centre social de Montargis|Montargis|45200||2009-06-01
45|Centre social d'Amilly|Amilly|45200||2013-01-01
45|Centre social de Châlette-sur-Loing|Châlette-sur-Loing|45120||
45|Centre social de Gien|Gien|45500||2012-03-01
45|Centre social de Pithiviers|Pithiviers|45300||
45|Centre social de Beaugency|Beaugency|45190||
45|Centre social de Meung-sur-Loire|Meung-sur-Loire|45130||
45|Centre social de Briare|Briare|45250||
45|Centre social de Sully-sur-Loire|Sully-sur-Loire|45600||
45|Centre social de Jargeau|Jargeau|45150||
37|Centre social du Sanitas|Tours|37000||2007-06-01
37|Centre social des Rives du Cher|Tours|37000||
37|Centre social de Tours Europe|Tours|37100||
37|Centre social de Joué-lès-Tours|Joué-lès-Tours|37300||2009-09-01
37|Centre social de Saint-Pierre-des-Corps|Saint-Pierre-des-Corps|37700||2011-01-15
37|Centre social d'Amboise|Amboise|37400||2010-10-01
37|Centre social de Chinon|Chinon|37500||2012-09-01
37|Centre social de Loches|Loches|37600||
41|Centre social Quinière|Blois|41000||2008-02-01
41|Centre social Mirabeau|Blois|41000||
41|Centre social de Blois Nord|Blois|41000||
41|Centre social de Vendôme|Vendôme|41100||2011-03-01
41|Centre social de Romorantin-Lanthenay|Romorantin-Lanthenay|41200||2012-02-01
41|Centre social de Salbris|Salbris|41300||
41|Centre social de Mer|Mer|41500||
41|Centre social de Montoire-sur-le-Loir|Montoire-sur-le-Loir|41800||
41|Centre social d'Onzain|Onzain|41150||
28|Centre social de Saint-Georges-sur-Eure|Saint-Georges-sur-Eure|28190||2012-10-01
28|Centre social de Beaulieu|Chartres|28000||
28|Centre social de Dreux|Dreux|28100||
28|Centre social de Lucé|Lucé|28110||
28|Centre social de Vernouillet|Vernouillet|28500||
28|Centre social de Châteaudun|Châteaudun|28200||
"""
CENTRES: list[tuple[str, str, str, str, str, date | None]] = [
    (code, name, town, postcode, address, date.fromisoformat(since) if since else None)
    for code, name, town, postcode, address, since in (
        line.split("|") for line in _CENTRES.strip().splitlines()
    )
]

BLANC = ("Centre social du Blanc", "Le Blanc")
VIERZON = ("Centre social de Vierzon", "Vierzon")
SAINT_JEAN_DE_BRAYE = ("Centre social de Saint-Jean-de-Braye", "Saint-Jean-de-Braye")
# Telephone area of each département (02 48 … in the Cher).
PHONE_AREA = {"18": "48", "28": "37", "36": "54", "37": "47", "41": "54", "45": "38"}

FIRST_NAMES = [
    "Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Martine", "Christine", "Françoise",
    "Valérie", "Sandrine", "Stéphanie", "Véronique", "Sophie", "Céline", "Chantal", "Patricia",
    "Anne", "Brigitte", "Laurence", "Nadine", "Monique", "Aurélie", "Émilie", "Julie", "Camille",
    "Léa", "Manon", "Hélène", "Josiane", "Fatima", "Aïcha", "Élodie", "Agnès", "Danielle",
    "Mireille", "Odile", "Gaëlle", "Noémie", "Zoé", "Maëlle", "Jean", "Philippe", "Michel",
    "Alain", "Patrick", "Nicolas", "Christophe", "Pierre", "Christian", "Éric", "Frédéric",
    "Laurent", "Stéphane", "David", "Olivier", "Bernard", "Thierry", "Jérôme", "Mohamed", "Karim",
    "Yannick", "Sébastien", "Julien", "Antoine", "Hervé", "Gérard", "Claude", "Bruno", "François",
    "Mathieu",
]  # fmt: skip

LAST_NAMES = [
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau",
    "Laurent", "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel",
    "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent",
    "Muller", "Lefebvre", "Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier",
    "Chevalier", "François", "Legrand", "Gauthier", "Garcia", "Perrin", "Robin", "Clément",
    "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson", "Marchand", "Duval",
    "Denis", "Dumont", "Marie", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier", "Brun",
    "Blanchard", "Giraud", "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud",
    "Martinez", "Gérard", "Roche", "Renard", "Schmitt", "Roy", "Leroux", "Colin", "Vidal", "Caron",
    "Picard", "Roger", "Fabre", "Aubert", "Lemoine", "Renaud", "Dumas", "Lacroix", "Olivier",
    "Philippe", "Bourgeois", "Pierre", "Benoît", "Rey", "Leclerc", "Payet", "Rolland", "Leclercq",
    "Guillaume", "Lecomte", "Benali", "Haddad", "Diallo", "Nguyen", "Da Silva", "Pereira",
    "Berthier", "Chauvin", "Tessier", "Besnard", "Pasquier", "Charpentier",
]  # fmt: skip

# (slug, name, description, position)
THEMES: list[tuple[str, str, str, int]] = [
    (
        "fondamentaux",
        "Les fondamentaux du centre social",
        "Ce qu'est un centre social, son histoire, ses valeurs, son projet et son agrément : "
        "une culture commune aux bénévoles et aux salarié·es.",
        1,
    ),
    (
        "fonction-employeur",
        "La fonction employeur",
        "Être employeur quand on est bénévole administrateur·rice : responsabilités, dialogue "
        "avec les salarié·es, évaluation.",
        2,
    ),
    (
        "strategie-partenaires",
        "Stratégie et communication en direction des partenaires",
        "Connaître ses partenaires (CAF, communes, Département, État), négocier, conventionner "
        "et faire savoir autant que savoir-faire.",
        3,
    ),
    (
        "accueil",
        "L'accueil en centre social",
        "La fonction accueil au cœur du projet social : accueillir chacun·e, faire vivre la "
        "différence, aller vers les publics isolés.",
        4,
    ),
    (
        "participation",
        "La participation des habitants",
        "Des principes communs et des cultures multiples : méthodes et postures pour que les "
        "habitant·es prennent part au projet.",
        5,
    ),
    (
        "evaluation",
        "Veille, projet et évaluation",
        "Faire des évaluations plutôt que des bilans : outils de veille, de projet et "
        "d'évaluation au service du contrat de projet.",
        6,
    ),
    (
        "numerique",
        "Faire réseau avec le numérique",
        "Site régional, blogs départementaux, visio : communiquer et faire réseau par le "
        "numérique.",
        7,
    ),
]

# Cycles of the three main themes: (theme slug, audience, description, objectives, modules)
# with modules as (title, objectives, duration in hours).
CYCLES: list[tuple[str, str, str, str, list[tuple[str, str, float]]]] = [
    (
        "fondamentaux",
        "benevoles",
        "Un parcours pour les bénévoles qui veulent comprendre ce qu'est un centre social et "
        "le faire vivre avec les habitant·es.",
        "Partager une culture commune du centre social.\nPasser du « je » au « nous ».",
        [
            (
                "Histoire et valeurs des centres sociaux",
                "Situer le centre social dans son histoire et la charte fédérale.",
                6.0,
            ),
            (
                "Le projet social et l'agrément CAF",
                "Comprendre le projet social, l'animation globale et le contrat de projet.",
                3.0,
            ),
            (
                "La participation des habitants au projet",
                "Repérer les niveaux de participation et les leviers pour l'encourager.",
                6.0,
            ),
        ],
    ),
    (
        "fonction-employeur",
        "benevoles",
        "Pour les administrateur·rices bénévoles qui exercent la fonction employeur de leur "
        "association.",
        "Connaître les responsabilités de l'employeur associatif.\nOrganiser le travail "
        "conjoint bénévoles / salarié·es.",
        [
            (
                "Les responsabilités de l'employeur associatif",
                "Droit du travail, convention collective, obligations du conseil d'administration.",
                3.0,
            ),
            (
                "Le dialogue entre bénévoles et salarié·es",
                "Clarifier les rôles, les délégations et les lieux de décision.",
                3.0,
            ),
            (
                "Évaluer en tant qu'employeur",
                "Conduire l'entretien annuel et évaluer l'activité sans la juger.",
                3.0,
            ),
        ],
    ),
    (
        "strategie-partenaires",
        "tous",
        "Pour peser dans le jeu des acteurs locaux : connaître ses partenaires, négocier, "
        "communiquer.",
        "Identifier ses partenaires et leurs attentes.\nPréparer une négociation et une "
        "convention pluripartite.\nValoriser l'action du centre.",
        [
            (
                "Connaître ses partenaires : CAF, communes, Département, État",
                "Cartographier les partenaires et leurs compétences.",
                3.0,
            ),
            (
                "Négocier et conventionner",
                "Préparer une négociation budgétaire et une convention pluriannuelle.",
                3.0,
            ),
            (
                "Communiquer sur son projet",
                "Faire savoir autant que savoir-faire : plaquettes, site, presse locale.",
                3.0,
            ),
        ],
    ),
]

# Feedback comments, in the words of the seeds' bilan (AG du 14 juin 2012).
GAINED = [
    "Des échanges de pratiques avec d'autres centres.",
    "Une prise de recul : cela permet la réflexion.",
    "L'expérience des autres, des outils pour notre centre.",
    "Des réponses à nos questions, par exemple sur les discriminations.",
    "Le travail conjoint salariés / bénévoles.",
    "Se rassurer en constatant qu'on partage les mêmes choses avec d'autres centres.",
    "Des repères pour défendre le projet devant nos partenaires.",
    "Un langage commun entre bénévoles et professionnels.",
]
MISSING = [
    "Plus de temps pour échanger.",
    "Un langage technique plus accessible aux bénévoles.",
    "Des ateliers de réflexion plus nombreux.",
    "La retransmission en interne après la journée.",
    "",
    "",
]

WHAT_TO_BRING = "De quoi prendre des notes ; le projet social de votre centre."
ATTENDANCE_ODDS = [86, 5, 5, 4]  # present, late, excused, absent, in percent

# The needs diagnostic of 2012 ------------------------------------------------------------

TITLE_2012 = "Diagnostic régional des besoins de formation 2012"

# (theme slug, title, plain-language explanation)
SKILLS = [
    (
        "fondamentaux",
        "Expliquer ce qu'est un centre social",
        "Dire en quelques mots à un habitant ou à un élu ce que fait le centre, pour qui, et "
        "ce qui le distingue d'un service de la mairie.",
    ),
    (
        "fondamentaux",
        "Connaître le projet social et l'agrément",
        "Savoir ce que contient le projet du centre, pourquoi la CAF l'agrée pour quatre ans "
        "et comment on le renouvelle.",
    ),
    (
        "fondamentaux",
        "S'appuyer sur les valeurs du réseau",
        "Dignité humaine, solidarité, démocratie : se servir de la charte des centres sociaux "
        "pour prendre des décisions au quotidien.",
    ),
    (
        "fonction-employeur",
        "Être employeur quand on est bénévole",
        "Savoir qui décide quoi entre le conseil d'administration, le bureau et la direction.",
    ),
    (
        "fonction-employeur",
        "Recruter et accueillir un·e salarié·e",
        "Écrire une fiche de poste, mener un entretien d'embauche, accompagner les premières "
        "semaines.",
    ),
    (
        "fonction-employeur",
        "Conduire un entretien annuel",
        "Préparer et mener l'entretien annuel d'un·e salarié·e, en connaissant les grandes "
        "règles de la convention collective.",
    ),
    (
        "strategie-partenaires",
        "Connaître ses partenaires",
        "Savoir qui finance quoi (CAF, commune, Département, État) et à qui s'adresser.",
    ),
    (
        "strategie-partenaires",
        "Négocier une convention",
        "Préparer un rendez-vous avec un financeur, défendre le projet et signer une "
        "convention sur plusieurs années.",
    ),
    (
        "strategie-partenaires",
        "Faire savoir ce que fait le centre",
        "Présenter le centre et ce qu'il apporte en deux minutes, écrire un article, tenir un "
        "stand.",
    ),
    (
        "accueil",
        "Accueillir chacun·e",
        "Recevoir une personne qui pousse la porte pour la première fois, l'écouter et l'orienter.",
    ),
    (
        "accueil",
        "Aller vers les personnes isolées",
        "Rencontrer les habitant·es qui ne viennent pas au centre, là où ils et elles sont.",
    ),
    (
        "participation",
        "Faire participer les habitant·es aux décisions",
        "Donner une vraie place aux habitant·es dans les choix du centre, pas seulement dans "
        "les activités.",
    ),
    (
        "participation",
        "Animer une réunion",
        "Préparer un ordre du jour, donner la parole à chacun·e, aboutir à une décision.",
    ),
    (
        "evaluation",
        "Évaluer une action",
        "Se demander si l'action a changé quelque chose pour les habitant·es, au-delà du "
        "nombre de participants.",
    ),
    (
        "evaluation",
        "Connaître son territoire",
        "Rassembler les chiffres et les avis qui décrivent le quartier ou la commune du centre.",
    ),
    (
        "numerique",
        "Participer à une réunion en visio",
        "Se connecter, prendre la parole et partager un document dans une réunion à distance.",
    ),
    (
        "numerique",
        "Publier sur le site du réseau",
        "Écrire une brève, ajouter une photo, annoncer un événement sur le site ou le blog.",
    ),
]

QUESTIONS = [
    "Quels sujets aimeriez-vous aborder lors des journées départementales ?",
    "Qu'est-ce qui vous empêche parfois de venir en formation (horaires, distance, garde "
    "d'enfants…) ?",
]

# How much each category wants each theme (0–1): bénévoles ask for the fondamentaux and the
# employer's role, salarié·es for partners and evaluation, as in the seeds' 2012 programme.
APPETITE = {
    Category.BENEVOLE: {
        "fondamentaux": 0.7,
        "fonction-employeur": 0.55,
        "strategie-partenaires": 0.45,
        "accueil": 0.35,
        "participation": 0.3,
        "evaluation": 0.15,
        "numerique": 0.3,
    },
    Category.ELU: {
        "fondamentaux": 0.5,
        "fonction-employeur": 0.75,
        "strategie-partenaires": 0.6,
        "accueil": 0.15,
        "participation": 0.3,
        "evaluation": 0.25,
        "numerique": 0.2,
    },
    Category.SALARIE: {
        "fondamentaux": 0.25,
        "fonction-employeur": 0.3,
        "strategie-partenaires": 0.6,
        "accueil": 0.4,
        "participation": 0.5,
        "evaluation": 0.55,
        "numerique": 0.35,
    },
    Category.PARTENAIRE: {},
}


def wish_for(draw: float, want: float) -> TrainingWish:
    """A training wish from a draw in [0, 1) and the person's appetite for the theme."""
    if draw < want * 0.4:
        return TrainingWish.PRIORITY
    if draw < want:
        return TrainingWish.YES
    return TrainingWish.NO


def level_for(draw: float, wish: TrainingWish) -> SkillLevel:
    """A skill level from a draw in [0, 1): lower when the person wants a training."""
    spread = 2.2 if wish != TrainingWish.NO else 4
    return list(SkillLevel)[min(3, int(draw * spread))]


OTHER_NEEDS = [
    "Rendre plus accessible le langage technique aux bénévoles.",
    "Des temps d'échange entre centres du même département.",
    "Un accompagnement pour renouveler notre projet social.",
    "Mieux comprendre la réforme des collectivités territoriales.",
    "Des formations le samedi pour les bénévoles qui travaillent.",
    "Un outil simple pour suivre nos adhérents.",
]
ANSWERS = {
    0: [
        "La place des jeunes dans le centre.",
        "Les relations avec la commune.",
        "La mutualisation entre centres voisins.",
    ],
    1: [
        "La distance : nous sommes loin d'Orléans.",
        "Les horaires en semaine.",
        "Le coût du déplacement.",
    ],
}

# The generator's made-up places, and titles of days and meetings in the words of the seeds.
CENTRE_NAMES = [
    "des Tilleuls", "Jean Moulin", "Simone Veil", "La Passerelle", "L'Escale", "Le Colombier",
    "Les Acacias", "du Vieux Moulin", "Victor Hugo", "Louise Michel", "Jacques Prévert",
    "Pablo Picasso", "Aimé Césaire", "Nelson Mandela", "La Boussole", "L'Agora",
    "Le Trait d'union", "Les Quatre Vents", "du Parc", "de la Gare", "Saint-Exupéry",
    "Jules Ferry", "Marie Curie", "Lucie Aubrac", "Rosa Parks", "Les Marronniers",
    "Le Point du jour", "Arc-en-ciel", "Les Bruyères", "Le Plateau", "La Fontaine",
    "Les Châtaigniers", "Les Glycines", "Espace Mosaïque", "La Ruche", "Le Lien", "Les Sablons",
    "Georges Brassens", "Olympe de Gouges", "Les Sources",
]  # fmt: skip
STREETS = [
    "rue Jean Jaurès", "avenue de la République", "place du Marché", "rue Victor Hugo",
    "rue des Écoles", "allée des Tilleuls", "boulevard Pasteur", "rue de la Liberté",
    "rue du 8 Mai 1945", "square Léo Lagrange",
]  # fmt: skip
# Titles of days and meetings by theme, in the words of the seeds.
EVENT_TITLES = {
    "fondamentaux": "Animation globale : une culture commune des centres sociaux",
    "fonction-employeur": "Bénévoles et salarié·es : le travail conjoint",
    "strategie-partenaires": "Réforme territoriale et centres sociaux",
    "accueil": "Accueillir et faire vivre la différence",
    "participation": "La participation des habitants : principes communs et cultures multiples",
    "evaluation": "Veille, projet, évaluation : prendre en main le classeur V.P.E.",
    "numerique": "Faire réseau avec le numérique : site régional et blogs départementaux",
}
