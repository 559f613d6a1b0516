"""Per-language context checks used by the screen: clauses, negation, subjects, past time, idioms.

All regexes run on normalized text (see normalize.py): lower case, no apostrophes,
English contractions expanded ("dont" -> "do not", "im" -> "i am").
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class LangContext:
    clause_break: re.Pattern  # where a clause ends (punctuation, "but", "але", ...)
    sentence_break: re.Pattern
    negation: re.Pattern  # a negator right before a match (anchored at the end of the prefix)
    unnegation: re.Pattern  # "I can't promise I won't..." keeps the risk
    first_person: frozenset[str]
    third_party: frozenset[str]
    past: re.Pattern  # the statement is about the past ("used to", "years ago")
    accident: re.Pattern  # an accident, not self-harm ("while cooking")
    topic: re.Pattern  # talk about the subject, not about oneself (prevention, research, helping a friend)
    humor: re.Pattern  # laughter / joke markers
    serious: re.Pattern  # "not kidding": cancels humor markers
    recovered: re.Pattern  # a past event told with clear present well-being ("in a good place now")
    relapse: re.Pattern  # it is happening again now ("started cutting again"): past markers do not lower it


_PUNCT = r"[.!?;:,()\[\]\n…\"«»“”]"
_SENT = r"[.!?;\n…]"

EN = LangContext(
    clause_break=re.compile(rf"{_PUNCT}|\b(?:but|though|although|however|yet|and|so|because|cause|since|while|whereas|unless|except|then)\b"),
    sentence_break=re.compile(_SENT),
    negation=re.compile(
        r"(?:\b(?:never|not|no|nor)\b)"
        r"(?: (?:ever|really|actually|seriously|even|honestly|truly|at all|currently|now|anymore|planning|going|intending|"
        r"thinking|considering|trying|wanting|want|plan|intend|try|think|thought|consider|like|to|on|of|about|that|be|been|"
        r"do|feel|feeling|have|had|any|intention|intentions|plan|plans|desire|wish|urge|urges|would|will|could|ever|"
        r"going to|myself|it|again|anything|something|like that|dare|reason))* ?$|\b(?:it is not|not) (?:that|like|as if) i (?:\w+ )?$"
    ),
    unnegation=re.compile(
        r"\b(?:cannot|can not|could not|not|never|no)\b (?:\w+ ){0,2}?(?:promise|sure|guarantee|swear|trust myself|know (?:if|whether)|certain|say for sure)\b|"
        r"\b(?:lying|lie) if i (?:said|say)\b|\bwould be lying\b"
    ),
    first_person=frozenset("i me my myself mine im ive id".split()),
    third_party=frozenset(
        """he she they him her them his their theirs you your yours we our us friend friends sister brother mom dad mother
        father son daughter wife husband boyfriend girlfriend partner someone somebody people person kid kids child children
        student students patient patients client clients cousin uncle aunt roommate colleague coworker classmate classmates
        who whose whom anyone everyone man woman guy girl boy teen teenager grandma grandpa grandmother grandfather neighbor
        neighbour character victim victims parents teacher cat cats dog dogs kitten puppy pet hamster bird parrot rabbit horse therapist
        doctor""".split()
    ),
    past=re.compile(
        r"\b(?:used to|years? ago|months? ago|long ago|a long time ago|as a (?:teen|teenager|kid|child)|"
        r"when i was (?:younger|a kid|a child|a teen|a teenager|little|small|in (?:high |middle )?school|in college|at school|\d+|"
        r"eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty)|"
        r"in (?:high school|middle school|college|my teens|my twenties|the past|my past)|back (?:in (?:the day|school|college|high school)|then|when)|"
        r"(?:have not|has not|did not|had not) (?:\w+ ){0,4}?(?:in|for|since) (?:years|months|a (?:year|long time|while)|\d+ (?:years?|months?))|"
        r"(?:\d+|two|three|four|five|six|seven|many|several|a few|a couple of) (?:years?|months?) (?:clean|free|sober|ago|now)|"
        r"clean (?:for|since)|in (?:19|20)\d\d|last year|recovered|in recovery|survivor|i survived|anymore since|"
        r"(?:old|faded) scars|scars from)\b"
    ),
    accident=re.compile(
        r"\b(?:accident|accidental|accidentally|by mistake|mistakenly|while (?:cooking|shaving|chopping|cutting|slicing|working|playing|"
        r"cleaning|gardening|fixing|opening|running|training|hiking|climbing|skating|skiing|biking|cycling)|cooking|shaving|chopping|"
        r"slicing|kitchen|onions?|vegetables|bread|paper cut|fell|fall|tripped|slipped|playing|gym|practice|training|workout|work out|"
        r"football|soccer|basketball|tennis|rugby|hockey|volleyball|skiing|skating|running|climbing|bike|cycling|lifting|sprain\w*|"
        r"twisted|pulled a muscle|on (?:a|the) (?:knife|glass|oven|stove|pan|iron|kettle|door|table|edge|corner|nail|fence|tin|can|grill)|"
        r"broken glass|stove|oven|curling iron|hair straightener|hot pan|burned my (?:tongue|finger|hand) on|sunburn\w*|burnt the|"
        r"burned the|dinner|toast|steak|cake|cookies)\b"
    ),
    topic=re.compile(
        r"\b(?:how (?:can|do|should|could|would|to) (?:i |we |you |one |parents |teachers |people )?(?:\w+ ){0,2}?(?:help|support|talk to|talk with|"
        r"speak to|speak with|approach|recogni[sz]e|spot|notice|prevent|respond to|deal with|reach out to|be there for)|"
        r"(?:prevention|awareness|hotline number|helpline number|rates?|statistics|research|risk factors|warning signs|training|course|"
        r"lecture|seminar|education|support group|webinar|documentary|podcast|article|essay|paper|thesis|report|presentation|"
        r"assignment|homework|novel|book|film|movie|series|episode|character|script|news|headline|journalist|poem|song|lyrics)|"
        r"signs of|what (?:are|is) (?:the )?(?:signs|symptoms|causes|difference)|why do (?:people|teens|men|women|so many)|"
        r"asked (?:me )?(?:if|whether)|asks (?:me )?(?:if|whether)|screening question|questionnaire)\b"
    ),
    humor=re.compile(r"\b(?:lol|lool|lolol|lmao|lmfao|rofl|haha\w*|hehe\w*|jk|just kidding|kidding|joking|xd|xdd)\b|[😂🤣😆😹💀🙃😜😝😅]"),
    serious=re.compile(r"\b(?:not (?:kidding|joking)|no joke|i am serious|seriously though|for real|fr fr|i mean it)\b"),
    relapse=re.compile(r"\b(?:again|relapsed|relapse|relapsing|started|restarted|back to|slipped)\b"),
    recovered=re.compile(
        r"\b(?:(?:i am|i feel) (?:now )?in a (?:good|better|much better|great|healthy) place|(?:i am )?doing (?:so |much |really |a lot )?"
        r"(?:well|better|great|good|fine) (?:now|these days|today)|proud of (?:myself|how far|my recovery|it)|glad (?:that )?i am (?:still )?"
        r"(?:here|alive)|grateful (?:that )?i am (?:still )?(?:here|alive)|life is (?:good|better|great) now|i am (?:happy|happier|okay|ok) now|"
        r"(?:fully )?recovered|i (?:got|have gotten) (?:through|better|help)|therapy (?:really )?helped|helped me (?:get through|recover))\b"
    ),
)

UK = LangContext(
    clause_break=re.compile(rf"{_PUNCT}|\b(?:але|проте|однак|хоча|хоч|бо|тому|і|й|та|а|ніж|зате|якщо|коли|поки)\b"),
    sentence_break=re.compile(_SENT),
    negation=re.compile(
        r"(?:\b(?:не|ні|ніколи|ніяк|нізащо|жодним чином|аж ніяк)\b)"
        r"(?: (?:ніколи|не|збираюся|збираюсь|збиралася|збирався|буду|стану|хочу|хотіла б|хотів би|хочеться|планую|думаю|думала|думав|"
        r"маю|маю наміру|наміру|планів|наважуся|наважусь|зможу|можу|б|би|в житті|у житті|вже|більше|собі|сама|сам|себе|зроблю|посмію|"
        r"бажаю|прагну|намагаюся|намагаюсь|спробую|взагалі|точно|справді|навіть))* ?$"
    ),
    unnegation=re.compile(
        r"\b(?:не|ні)\b (?:\w+ ){0,1}?(?:можу обіцяти|обіцяю|впевнена|впевнений|певна|певен|знаю чи|гарантую|ручаюся|ручаюсь|довіряю собі)\b"
    ),
    first_person=frozenset("я мені мене мій моя моє мої мною моїй моєму".split()),
    third_party=frozenset(
        """він вона вони його її їх йому їй їм ним нею ними ти ви тобі вам тебе вас твій твоя ваш ваша друг подруга друзі другові
        подрузі сестра брат сестрі братові мама мати тато батько мамі татові син донька дочка сину доньці дитина діти дитині дітям
        чоловік дружина хлопець дівчина хтось люди людина людей людям знайомий знайома колега однокласник однокласниця студент
        студентка пацієнт пацієнтка клієнт клієнтка підліток підлітки сусід сусідка бабуся дідусь
        хоче хочуть думає думають планує планують збирається збираються намагається намагався намагалася каже казав казала
        говорить пише персонаж героїня герой кіт кішка собака пес котик цуценя кошеня""".split()
    ),
    past=re.compile(
        r"\b(?:колись|раніше|у минулому|в минулому|в дитинстві|у дитинстві|в підлітковому віці|у підлітковому віці|в юності|у юності|"
        r"в школі|у школі|коли (?:мені було|я була|я був|була малою|був малим|я навчалася|я навчався)|"
        r"(?:\d+|кілька|декілька|пару|два|дві|три|чотири|п\w*ять|багато) (?:років|роки|рік|місяців|місяці) (?:тому|назад)|давно|"
        r"багато років тому|минулого року|вже (?:\d+ |кілька |декілька |два |три |пів )?(?:роки|років|місяців|рік|року) (?:не|без)|"
        r"(?:роки|років|місяців|року) (?:без|не)|старі шрами|шрами від)\b"
    ),
    accident=re.compile(
        r"\b(?:випадково|ненароком|ненавмисно|коли готувала|коли готував|готувала|готував|на кухні|кухонним|хліб\w*|овоч\w*|цибул\w*|"
        r"картопл\w*|голилася|голився|гоління|папером|об скло|об папір|склом|впала|впав|послизнулася|послизнувся|спіткнулася|"
        r"спіткнувся|на тренуванні|у спортзалі|в спортзалі|на футболі|граючи|об праску|праскою|об плиту|сковорідк\w*|духовк\w*|"
        r"плойк\w*|на сонці|засмаг\w*|консерв\w*|банк[аиу]|при ремонті|на роботі|інструмент\w*)\b"
    ),
    topic=re.compile(
        r"\b(?:як (?:допомогти|підтримати|говорити|поговорити|розпізнати|помітити|запобігти|реагувати|вберегти|зрозуміти)|"
        r"профілактик\w*|запобіганн\w*|статистик\w*|дослідженн\w*|реферат\w*|курсов\w*|лекці\w*|тренінг\w*|семінар\w*|стаття|статті|"
        r"статтю|новин\w*|фільм\w*|серіал\w*|книж\w*|книг\w*|роман\w*|персонаж\w*|ознаки|симптоми|причини|чому люди|чому підлітки|"
        r"гаряч\w* ліні\w*|телефон довіри|номер довіри|доповід\w*|презентаці\w*|есе|вірш\w*|пісн\w*)\b"
    ),
    humor=re.compile(r"\b(?:ахах\w*|хаха\w*|хех\w*|хіхі\w*|лол|жартую|жарт|прикол\w*|ржу|рофл)\b|[😂🤣😆😹💀🙃😜😝😅]"),
    serious=re.compile(r"\b(?:не жартую|без жартів|я серйозно|серйозно кажу)\b"),
    relapse=re.compile(r"\b(?:знову|зірвалася|зірвалась|зірвався|почала|почав|повернулася до|повернулась до|повернувся до)\b"),
    recovered=re.compile(
        r"\b(?:зараз|тепер|нині) (?:\w+ )?(?:все добре|усе добре|все гаразд|я щаслив\w*|мені краще|мені добре|я в порядку)|"
        r"пишаюся (?:собою|тим)|рада?,? що (?:я )?(?:жива|живий|досі тут)|(?:терапія|психолог\w*) (?:\w+ )?допом\w*|я (?:\w+ )?впоралася|я (?:\w+ )?впорався\b"
    ),
)

RU = LangContext(
    clause_break=re.compile(rf"{_PUNCT}|\b(?:но|однако|хотя|потому|и|а|чем|если|когда)\b"),
    sentence_break=re.compile(_SENT),
    negation=re.compile(r"(?:\b(?:не|ни|никогда|ни за что)\b)(?: (?:никогда|не|собираюсь|буду|стану|хочу|планирую|думаю|смогу|могу|бы|б|себе|сама|сам))* ?$"),
    unnegation=re.compile(r"\b(?:не)\b (?:\w+ ){0,1}?(?:могу обещать|обещаю|уверена|уверен|знаю ли|гарантирую)\b"),
    first_person=frozenset("я мне меня мой моя мое мои мной".split()),
    third_party=frozenset("он она они его ее их ему ей им ты вы тебе вам друг подруга сестра брат мама отец сын дочь ребенок кто-то люди хочет думает".split()),
    past=re.compile(r"\b(?:раньше|когда-то|в прошлом|в детстве|в школе|(?:\d+|несколько|пару|много) (?:лет|года|год|месяцев) назад|давно)\b"),
    accident=re.compile(r"\b(?:случайно|нечаянно|когда готовила|когда готовил|на кухне|хлеб\w*|овощ\w*|бумагой|стеклом|упала|упал|на тренировке)\b"),
    topic=re.compile(r"\b(?:как (?:помочь|поддержать|говорить|распознать|предотвратить)|профилактик\w*|статистик\w*|исследовани\w*|реферат\w*|стать\w*|новост\w*|фильм\w*|сериал\w*|книг\w*|признаки|симптомы)\b"),
    humor=re.compile(r"\b(?:ахах\w*|хаха\w*|лол|шучу|шутка|прикол\w*|ржу)\b|[😂🤣😆😹💀🙃😜😝😅]"),
    serious=re.compile(r"\b(?:не шучу|без шуток|я серьезно)\b"),
    relapse=re.compile(r"\b(?:снова|опять|сорвалась|сорвался|начала|начал)\b"),
    recovered=re.compile(r"\b(?:сейчас|теперь) (?:\w+ )?(?:все хорошо|мне лучше|я в порядке)|горжусь собой\b"),
)

BY_LANG = {"en": EN, "uk": UK, "ru": RU}


def clause_bounds(ctx: LangContext, text: str, start: int, end: int) -> tuple[int, int]:
    """(clause start, clause end) around the span [start, end)."""
    cs = 0
    for m in ctx.clause_break.finditer(text, 0, start):
        cs = m.end()
    m = ctx.clause_break.search(text, end)
    return cs, (m.start() if m else len(text))


def sentence_bounds(ctx: LangContext, text: str, start: int, end: int) -> tuple[int, int]:
    ss = 0
    for m in ctx.sentence_break.finditer(text, 0, start):
        ss = m.end()
    m = ctx.sentence_break.search(text, end)
    return ss, (m.start() if m else len(text))


def third_party_subject(ctx: LangContext, prefix: str, window: int = 6) -> bool:
    """True when the nearest person word before a match is someone other than the speaker."""
    for tok in reversed(prefix.split()[-window:]):
        if tok in ctx.first_person:
            return False
        if tok in ctx.third_party:
            return True
    return False
