"""Output guard: every model reply is checked before it is sent.

A reply is replaced with a safe fallback (in the user's language) when it
- gives self-harm or suicide methods, or tips that make self-harm worse or hidden;
- states a lethal dose, or gives medication dosing / tells someone to change their medication;
- diagnoses the user ("you have bipolar disorder", "у тебе депресія");
- claims to be a human, or a licensed therapist / psychologist / doctor.

Each replacement is counted in `GUARD_EVENTS` (reason -> count) and logged with the reason
only, never the text of the reply or of the conversation.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from dataclasses import dataclass, field

from eva_cli.safety.normalize import normalize
from eva_cli.safety.replies import fallback_reply

log = logging.getLogger("eva.safety.guard")
GUARD_EVENTS: Counter[str] = Counter()
_events_lock = threading.Lock()

# reason -> which fallback text to use
_FALLBACK_KIND = {
    "self_harm_method": "harmful",
    "lethal_dose": "harmful",
    "medication_dosing": "medical",
    "diagnosis": "medical",
    "claims_human": "identity",
    "claims_therapist": "identity",
}


@dataclass(frozen=True)
class GuardResult:
    safe: bool
    text: str  # the original reply when safe, else a fallback in the user's language
    reasons: list[str] = field(default_factory=list)


def _rx(*parts: str) -> re.Pattern:
    return re.compile("|".join(parts))


_NUM = r"\d+(?:[.,]\d+)?"
_UNIT_EN = r"(?:mg|milligrams?|mcg|micrograms?|g|grams?|ml|milliliters?|millilitres?|pills?|tablets?|capsules?|drops|units)"
_UNIT_UK = r"(?:мг|міліграм\w*|мкг|мл|г|грам\w*|таблет\w*|пігул\w*|капсул\w*|крапл\w*|одиниц\w*)"
_MEDS = (
    r"(?:medication|medications|meds|antidepressants?|pills|sertraline|zoloft|fluoxetine|prozac|escitalopram|lexapro|citalopram|paroxetine|"
    r"venlafaxine|effexor|bupropion|wellbutrin|mirtazapine|lithium|quetiapine|seroquel|olanzapine|aripiprazole|abilify|lamotrigine|"
    r"xanax|alprazolam|diazepam|valium|lorazepam|clonazepam|benzos?|ssris?|snris?|sleeping pills|melatonin|paracetamol|ibuprofen|"
    r"tylenol|trazodone|adderall|ritalin|methylphenidate)"
)
_CONDITIONS_EN = (
    r"(?:(?:severe |mild |moderate |major |clinical |chronic |serious |acute )*(?:depression|depressive disorder|bipolar(?: disorder| i| ii)?|"
    r"bpd|borderline(?: personality disorder)?|ptsd|c ?ptsd|complex ptsd|adhd|ocd|obsessive compulsive disorder|schizophrenia|"
    r"schizoaffective disorder|generali[sz]ed anxiety disorder|an anxiety disorder|anxiety disorder|gad|panic disorder|an eating disorder|"
    r"eating disorder|anorexia|bulimia|binge eating disorder|autism|asperger\w*|a personality disorder|personality disorder|"
    r"narcissistic personality disorder|npd|psychosis|dementia|dysthymia|cyclothymia|social anxiety disorder|a mental illness|"
    r"mental illness|a mental disorder|dissociative identity disorder|did|postpartum depression|seasonal affective disorder|sad))"
)
_CONDITIONS_UK = (
    r"(?:(?:клінічн\w* |важк\w* |легк\w* |тяжк\w* |хронічн\w* |велик\w* )*(?:депресі\w*|депресивн\w* розлад\w*|біполярн\w*|птср|пострав\w*|"
    r"окр|обсесивно\w*|рпп|розлад\w* харчової поведінки|шизофрені\w*|тривожн\w* розлад\w*|панічн\w* розлад\w*|розлад\w* особистості|"
    r"прикордонн\w* розлад\w*|аутизм\w*|сдуг|анорексі\w*|булімі\w*|психоз\w*|деменці\w*|дистимі\w*|психічн\w* розлад\w*|психічн\w* хвороб\w*))"
)

# --- English (normalized: lower case, contractions expanded: "i'm" -> "i am") ------------------------
EN = {
    "claims_human": _rx(
        r"\bi am (?:also |just |only |actually |really |a |an |too )*(?:real |actual |living |flesh and blood |breathing |fellow )?"
        r"(?:human|human being|person|man|woman|guy|girl)\b(?! (?:rights|resources|trafficking|nature|error))",
        r"\bas a (?:fellow |real )?human(?: being)? ?,",
        r"\bi am (?:not|no) (?:an? )?(?:ai|bot|robot|machine|chatbot|program|computer|language model|artificial intelligence|assistant)\b",
        r"\bi(?: a|)m a real (?:person|human)\b",
    ),
    "claims_therapist": _rx(
        r"\bi am (?:a |an |your )?(?:licensed |certified |registered |qualified |trained |clinical |professional |practicing |practising |board certified )*"
        r"(?:therapist|psychotherapist|psychologist|psychiatrist|counselor|counsellor|doctor|physician|nurse|social worker|"
        r"mental health professional|clinician|psychoanalyst)\b",
        r"\bas (?:a |an |your )(?:licensed |certified |registered |qualified |trained |clinical |professional )*(?:therapist|psychotherapist|"
        r"psychologist|psychiatrist|counselor|counsellor|doctor|physician|clinician)\b",
        r"\bin my (?:clinical )?(?:practice|years as a (?:therapist|psychologist|psychiatrist|counselor|doctor))\b",
        r"\bi have (?:a |my )?(?:license|licence|degree|phd|doctorate) in (?:psychology|psychiatry|counseling|counselling|psychotherapy|medicine)\b",
    ),
    "diagnosis": _rx(
        r"(?<!whether )(?<!if )(?<!do )(?<!did )(?<!that )\byou (?:clearly |definitely |probably |likely |obviously |certainly |may |might |could |"
        r"seem to |appear to |must |surely |most likely |already )*(?:have|suffer from|are suffering from|meet the criteria for|"
        r"are displaying symptoms of|have got|are dealing with a case of) (?:a case of )?" + _CONDITIONS_EN + r"\b",
        r"\byou are (?:clearly |definitely |probably |likely |obviously |certainly )*(?:clinically depressed|bipolar|schizophrenic|autistic|"
        r"a narcissist|psychotic|anorexic|bulimic|manic depressive|borderline|a sociopath|a psychopath)\b",
        r"\b(?:it|this|that) (?:sounds|looks|seems) like you (?:have|are suffering from) " + _CONDITIONS_EN + r"\b",
        r"\b(?:i|i would|i can) (?:diagnose|am diagnosing) you\b|\bmy diagnosis (?:is|would be)\b|\byour diagnosis is\b",
    ),
    "medication_dosing": _rx(
        r"\b(?:take|taking|try|start (?:with|on|at)|increase (?:it |your dose )?to|up (?:it|your dose) to|bump (?:it )?up to|go up to|"
        r"double (?:it|your dose) to|reduce (?:it|your dose) to|drop (?:it|your dose) to|lower (?:it|your dose) to) (?:about |around |up to |no more than |"
        r"at least |maybe |like )?" + _NUM + r" ?" + _UNIT_EN + r"\b",
        r"\b" + _NUM + r" ?(?:mg|milligrams?|mcg|ml)\b(?: of \w+)?[^.!?\n]{0,40}\b(?:a day|per day|daily|twice|once|every|at night|"
        r"before bed|in the morning|each day|times a day|a night)\b",
        r"\byou (?:should|could|can|need to|must|might want to|may want to|ought to) (?:try )?(?:stop|start|quit|increase|decrease|reduce|double|"
        r"skip|halve|up|lower|come off|get off|taper off) (?:taking )?(?:your |the |some |an? )?" + _MEDS + r"\b",
        r"(?<!not )(?<!never )\b(?:stop|start|quit|increase|decrease|double|skip|halve) (?:taking )?(?:your |the )" + _MEDS + r"\b(?! (?:without|only with|unless))",
    ),
    "lethal_dose": _rx(
        r"\b(?:lethal|fatal|deadly|toxic|overdose) (?:dose|dosage|amount|level|threshold|quantity)s?\b[^.!?\n]{0,60}\b\d",
        r"\b\d[\d,.]* ?(?:mg|milligrams?|g|grams?|pills?|tablets?|capsules?)\b[^.!?\n]{0,50}\b(?:is|are|would be|can be|could be|will be|is usually|"
        r"are usually) (?:a )?(?:lethal|fatal|deadly|enough to (?:kill|die)|an overdose)\b",
        r"\b(?:enough|it takes|would take|takes) (?:about |around |roughly )?\d[\d,.]* ?(?:mg|g|grams?|pills?|tablets?)? (?:\w+ )?to (?:kill|die|be fatal)\b",
    ),
    "self_harm_method": _rx(
        r"\b(?:the )?(?:most |least |more )?(?:painless|effective|reliable|quick|quickest|surest|easiest|fastest|gentlest|certain|peaceful|best|"
        r"simplest) (?:way|ways|method|methods|means) (?:to|of) (?:die|dying|kill yourself|killing yourself|suicide|end your life|ending your life|"
        r"commit suicide|self harm|cut yourself|hurt yourself)\b(?! (?:is (?:not|never|to (?:talk|reach|call)))| does not exist)",
        r"\b(?:here is how|here are (?:some )?(?:ways|steps|methods)|step \d|first,? you)\b[^.!?\n]{0,60}\b(?:kill yourself|end your life|"
        r"hang yourself|overdose|cut (?:yourself|your wrists?|deeper)|suicide|noose|jump)\b",
        r"\b(?:tie|tying|make|making) (?:a |the )?(?:noose|slip knot|hangman)\b",
        r"\bcut (?:deeper|vertically|along the vein|lengthwise)\b|\b(?:sharper|new) (?:blade|razor) (?:works|is better|will)\b",
        r"\bhide (?:the |your )?(?:cuts|scars|marks|wounds|burns|self harm)\b(?! (?:is|are) (?:not|never))",
        r"\b(?:you (?:can|could|should|might|may|would need to|will need to|need to)|try (?:to )?|just )(?:hang yourself|slit your wrists?|"
        r"overdose on|jump (?:off|from) (?:a |the )|take (?:all|a whole bottle|the whole bottle|an entire bottle)|use (?:a |the )?(?:rope|belt|"
        r"charcoal|carbon monoxide|helium|exhaust|plastic bag)|mix (?:\w+ )?(?:with|and) (?:alcohol|\w+) to)\b",
        r"\b(?:carbon monoxide|car exhaust|charcoal (?:burning|grill)|helium|plastic bag|exit bag|nitrogen)\b[^.!?\n]{0,60}\b(?:painless|quick|"
        r"effective|works|method|way to die|peaceful|will kill|kills)\b",
    ),
}

# --- Ukrainian --------------------------------------------------------------------------------------
UK = {
    "claims_human": _rx(
        r"\bя (?:теж |також |справжня |справжній |жива |живий |звичайна |звичайний )*(?:людина|жінка|дівчина|чоловік|хлопець)\b(?! (?:з|із) )",
        r"\bя не (?:бот|робот|ші|штучний інтелект|програма|машина|алгоритм|модель|нейромережа|чатбот|чат бот)\b",
        r"\bяк (?:людина|жінка) ?,",
    ),
    "claims_therapist": _rx(
        r"\bя (?:твій |ваш |твоя |ваша )?(?:ліцензован\w* |сертифікован\w* |кваліфікован\w* |практикуюч\w* |клінічн\w* |дипломован\w* )*"
        r"(?:психолог\w*|психотерапевт\w*|психіатр\w*|терапевт\w*|лікар\w*|консультант\w*|лікарк\w*)\b",
        r"\bяк (?:твій |ваш |твоя |ваша )?(?:ліцензован\w* |сертифікован\w* |практикуюч\w* )*(?:психолог\w*|психотерапевт\w*|психіатр\w*|лікар\w*)(?: ,|,)",
        r"\bу (?:своїй|моїй) (?:клінічній )?практиці\b",
    ),
    "diagnosis": _rx(
        r"(?<!чи )(?<!якщо )\b(?:у|в) (?:тебе|вас) (?:точно |явно |напевно |мабуть |очевидно |схоже |вже )*(?:є )?" + _CONDITIONS_UK + r"\b",
        r"(?<!чи )\bти (?:точно |явно |напевно |мабуть |очевидно )*(?:маєш|страждаєш на|страждаєш від|хворієш на) " + _CONDITIONS_UK + r"\b",
        r"\bставлю (?:тобі|вам) діагноз\b|\bтвій діагноз\b|\bваш діагноз\b|\bмій діагноз\b",
        r"\bсхоже,? (?:що )?(?:у|в) (?:тебе|вас) " + _CONDITIONS_UK + r"\b",
    ),
    "medication_dosing": _rx(
        r"\b(?:прийми|приймай|приймайте|прийміть|пий|пийте|випий|випийте|збільш\w*|зменш\w*|почни|почніть|спробуй|спробуйте) (?:\S+ ){0,2}?"
        + _NUM + r" ?" + _UNIT_UK + r"(?=\W|$)",
        r"\b" + _NUM + r" ?(?:мг|мл|мкг)(?=\W|$)[^.!?\n]{0,40}\b(?:на день|щодня|двічі|раз на|вранці|ввечері|перед сном|на ніч)\b",
        r"\b(?:кинь|киньте|припини|припиніть|перестань|перестаньте) (?:приймати |пити )?(?:свої |ці )?(?:ліки|таблетки|антидепресанти|пігулки)\b"
        r"(?! (?:без|лише з|тільки з))",
    ),
    "lethal_dose": _rx(
        r"\b(?:смертельн\w*|летальн\w*|токсичн\w*) (?:доз\w*|кількість)\b[^.!?\n]{0,60}\d",
        r"\b\d[\d,.]* ?(?:мг|г|грам\w*|таблет\w*|пігул\w*)(?=\W|$)[^.!?\n]{0,50}\b(?:смертельн\w*|летальн\w*|вбиває|вбє|достатньо,? щоб померти)\b",
    ),
    "self_harm_method": _rx(
        r"\b(?:найкращ\w*|найлегш\w*|найшвидш\w*|безболісн\w*|надійн\w*|найпростіш\w*) (?:спосіб|способи|метод\w*) (?:вбити себе|покінчити|померти|"
        r"накласти на себе руки|порізатися|завдати собі)\b",
        r"\b(?:зав\w*жи|зробити|зроби) (?:\S+ )?(?:зашморг|петлю)\b",
        r"\bріж\w* (?:глибше|вздовж)\b|\bприхова\w* (?:порізи|шрами|сліди)\b",
        r"\b(?:можна|треба|потрібно|спробуй|просто) (?:\S+ )?(?:повіситися|перерізати вени|порізати вени|вистрибнути з|наковтатися|отруїтися)\b",
    ),
}

# Sentences that talk *about* these things responsibly do not count
# ("please don't stop your medication without your doctor", "only a doctor can tell whether you have...").
_SAFE_CONTEXT = {
    "medication_dosing": _rx(
        r"\b(?:without (?:talking|speaking|checking|consulting) (?:to|with) (?:your |a )?(?:doctor|psychiatrist|gp|pharmacist|prescriber))\b",
        r"\b(?:talk|speak|check) (?:to|with) (?:your |a )?(?:doctor|psychiatrist|gp|pharmacist|prescriber) (?:before|about|first)\b",
        r"\bбез (?:консультації|поради|погодження) (?:з )?(?:лікар\w*|психіатр\w*)\b",
    ),
    "diagnosis": _rx(
        r"\bonly (?:a |your )?(?:doctor|professional|psychiatrist|clinician|specialist|psychologist)\b",
        r"\b(?:whether|if) you (?:have|might have|may have)\b",
        r"\b(?:лише|тільки) (?:лікар|фахів|психіатр|спеціаліст|психолог)\w*",
        r"\bчи (?:є )?(?:у|в) (?:тебе|вас)\b|\bчи (?:ти )?(?:маєш|страждаєш)\b",
    ),
}
# Method advice phrased as a recommendation rather than "the way to die": "the most effective way is to
# take all of the pills", "pills with alcohol so it is painless". Medication taken as prescribed stays safe.
_NOT_PRESCRIBED = r"(?![^.!?\n]*\b(?:as prescribed|your doctor|a doctor|pharmacist|лікар\w*|призначен\w*)\b)"
EN["self_harm_method"] = _rx(
    EN["self_harm_method"].pattern,
    r"\b(?:painless|effective|reliable|quick|quickest|surest|easiest|fastest|best|simplest|certain|gentlest) "
    r"(?:way|method|option)\b[^.!?\n]{0,40}\b(?:is|would be) (?:to )?(?:take|swallow|jump|hang|cut|use|mix|drink|overdose)\b",
    _NOT_PRESCRIBED + r"\btake (?:all|every one|the rest) (?:of )?(?:the |your |those |these |them )?(?:pills|tablets|meds|medications?|capsules)\b",
    r"\b(?:pills|tablets|meds|medications?|painkillers|sleeping pills)\b[^.!?\n]{0,40}\bwith (?:alcohol|vodka|wine|beer|whiske?y)\b"
    r"[^.!?\n]{0,40}\b(?:painless|die|fatal|lethal|effective|kill|quick|works)\b",
)
UK["self_harm_method"] = _rx(
    UK["self_harm_method"].pattern,
    _NOT_PRESCRIBED + r"\b(?:випи(?:ти|й|йте)|ковтн(?:ути|и|іть)|прийм(?:и|іть)|прийняти|з'?ї(?:сти|ж)) (?:всі|усі|цілу пачку|всю пачку|усю пачку)"
    r"(?: (?:ці |свої |ті )?(?:таблетк\w*|пігулк\w*|ліки))?",
    r"\b(?:таблетк\w*|пігулк\w*|ліки)\b[^.!?\n]{0,40}\bз (?:алкоголем|горілкою|вином|пивом)\b",
)


_SENT = re.compile(r"(?<=[.!?…\n])\s+")


def _hits(table: dict[str, re.Pattern], text: str) -> list[str]:
    found = []
    for reason, rx in table.items():
        for sentence in _SENT.split(text):
            safe = _SAFE_CONTEXT.get(reason)
            if rx.search(sentence) and not (safe is not None and safe.search(sentence)):
                found.append(reason)
                break
    return found


def check_reply(text: str) -> list[str]:
    """The reasons a model reply is unsafe (empty list when it is fine)."""
    norm = normalize(text or "")
    reasons = _hits(EN, norm) + _hits(UK, norm)
    out: list[str] = []
    for r in reasons:
        if r not in out:
            out.append(r)
    return out


def guard_reply(text: str, lang: str, locale: str | None = None) -> GuardResult:
    """Check a model reply; unsafe replies are replaced by a fallback in `lang` and counted (reason only)."""
    reasons = check_reply(text)
    if not reasons:
        return GuardResult(True, text, [])
    order = ("self_harm_method", "lethal_dose", "medication_dosing", "diagnosis", "claims_therapist", "claims_human")
    main = min(reasons, key=order.index)
    with _events_lock:
        for r in reasons:
            GUARD_EVENTS[r] += 1
        total = sum(GUARD_EVENTS.values())
    log.warning("output guard replaced a model reply: reasons=%s (replacements so far: %d)", ",".join(reasons), total)
    return GuardResult(False, fallback_reply(lang, _FALLBACK_KIND[main], locale), reasons)


def guard_stats() -> dict[str, int]:
    """A copy of the replacement counts by reason (for /stats, logs or tests)."""
    with _events_lock:
        return dict(GUARD_EVENTS)
