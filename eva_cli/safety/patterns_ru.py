"""A small set of Russian crisis patterns.

Many people in Ukraine write in Russian or mix it with Ukrainian (surzhyk). English and
Ukrainian are the supported languages; these rules make sure the most direct Russian crisis
statements are not missed. Normalized text: lower case, ё -> е, no apostrophes or ъ.
"""

from __future__ import annotations

from eva_cli.safety.rules import RuleSpec as R
from eva_cli.safety.rules import compile_rules

A = "suicidal_ideation_active"
P = "suicidal_ideation_passive"
PLAN = "plan_intent_means"
SH = "self_harm"
OTHERS = "harm_to_others"
DANGER = "in_danger"
MED = "medical_emergency"

MACROS = {
    "F": r"(?:(?:просто|очень|уже|так|реально|честно|иногда|часто|всегда|сейчас|снова|опять|тоже|даже|давно|серьезно|прям|ну|еще|"
    r"наверное|точно|вообще|блин|все|бы|б) )*",
    "KILL": r"уби(?:ть|ю|ла|л|ваю|вать)|убью|убю",
    "PILLS": r"таблет\w*|пилюл\w*|лекарств\w*|снотворн\w*|антидепрессант\w*|парацетамол\w*|феназепам\w*",
    "PERSON": r"он|она|они|муж|парень|отец|папа|отчим|мама|мать|брат|бывший|сосед|кто-то|кто то",
}

SPECS: list[R] = [
    R("kill_myself", A, "crisis", r"\b(?:<<KILL>>)(?: бы)? <<F>>себя\b|\bсебя <<F>>(?:<<KILL>>)\b", neg=True, past=True, humor="lower"),
    R("end_with_myself", A, "crisis",
      r"\bпокончи(?:ть|ла|л)? <<F>>с (?:собой|жизнью)\b|\bпокончу <<F>>с (?:собой|жизнью)\b|\bналожить на себя руки\b|\bналожу на себя руки\b|"
      r"\bуйти из жизни\b|\bуйду из жизни\b|\bповеситься\b|\bповешусь\b",
      neg=True, past=True, humor="lower"),
    R("suicide_first_person", A, "crisis",
      r"\b(?:думаю|думала|думал|мысли|планирую|хочу|собираюсь|решила|решил)\b (?:[^\s.!?…]+ ){0,2}?(?:о |про |на )?(?:самоубийств\w*|суицид\w*)\b|"
      r"\bсуицидальн\w* (?:мысли|настроени\w*)\b",
      neg=True, past=True, topic=True),
    R("want_to_die", A, "crisis",
      r"\b(?:хочу|хочется|хотела бы|хотел бы|мечтаю|готова|готов) <<F>>(?:умереть|сдохнуть|помереть|не жить|не существовать|не проснуться)\b",
      neg=True, past=True, humor="lower",
      after=r"^ (?:от|со) (?:стыда|смеха|скуки|любопытства)"),
    R("dont_want_to_live", A, "crisis",
      r"\bне <<F>>(?:хочу|хочется) <<F>>(?:больше )?(?:жить|существовать|просыпаться)\b|\bжить <<F>>(?:больше )?не (?:хочу|хочется)\b|"
      r"\b(?:устала|устал|надоело|задолбало) <<F>>жить\b",
      past=True, after=r"^ (?:в|с|здесь|там|вместе) "),
    R("no_point", P, "elevated",
      r"\b(?:не вижу|нет|какой) (?:[^\s.!?…]+ )?смысла? (?:[^\s.!?…]+ )?жить\b|\bзачем (?:[^\s.!?…]+ )?жить\b|\bхочу (?:просто )?исчезнуть\b|"
      r"\bлучше бы я (?:не рождал\w*|умерла|умер|исчезла|исчез)\b|\bя больше не могу(?=\s*(?:[.!?…,]|$))",
      signal="passive"),
    R("burden", P, "elevated",
      r"\bя (?:[^\s.!?…]+ )?(?:обуза|обузой|обуза для всех)\b|\b(?:всем|им|семье) (?:[^\s.!?…]+ )?будет (?:[^\s.!?…]+ )?лучше без меня\b|\bникому не нужна?\b",
      signal="burden", neg=True),
    R("self_harm", SH, "crisis",
      r"\b(?:режу|резала|резал|порезала|порезал|порежу|порезать|резать) <<F>>(?:себя|себе (?:руки|вены|запяст\w*))\b|"
      r"\b(?:порезать|вскрыть|вскрою|порежу) (?:себе )?вены\b|\b(?:порезаться|порезалась|режусь)\b|\bпричиняю себе (?:боль|вред)\b|\bселфхарм\w*\b",
      neg=True, past=True, accident=True),
    R("overdose_taken", MED, "crisis",
      r"\b(?:выпила|выпил|наглоталась|наглотался|проглотила|проглотил|приняла|принял) (?:[^\s.!?…]+ ){0,2}?(?:все|всю|пачку|упаковку|горсть|много|кучу|\d{2,}) "
      r"(?:[^\s.!?…]+ ){0,2}?(?:<<PILLS>>)\b|\b(?:наглоталась|наглотался) (?:<<PILLS>>)\b|\bпередозировк\w*\b",
      past=True, topic=True),
    R("abuse_now", DANGER, "crisis",
      r"\b(?:<<PERSON>>) (?:[^\s.!?…]+ ){0,2}?(?:меня )?(?:бьет|избивает|избил|душит|душил|изнасиловал|угрожает убить|угрожает|бил|ударил)(?: меня)?\b|"
      r"\bменя (?:бьют|избивают|избили|изнасиловали|хотят убить|хочет убить)\b|\bбоюсь(?: ,)? что (?:[^\s.!?…]+ )?(?:меня )?убьет\b",
      past=True, humor="cancel"),
    R("harm_others_intent", OTHERS, "crisis",
      r"\b(?:хочу|готова|готов|собираюсь) (?:<<KILL>>|задушить|зарезать|застрелить|покалечить) (?:его|ее|их|мужа|жену|отца|мать|ребенка|детей|всех)\b",
      neg=True, humor="cancel"),
]

RULES = compile_rules("ru", SPECS, MACROS)
