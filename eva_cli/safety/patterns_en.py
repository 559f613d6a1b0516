"""English crisis patterns, written against normalized text (see normalize.py).

Normalized English has no apostrophes and expanded contractions: "I'm" -> "i am",
"don't" -> "do not", "I'll" -> "i will", "wanna" -> "want to". Write patterns that way.
Levels and categories are documented in docs/safety.md.
"""

from __future__ import annotations

from eva_cli.safety.rules import CONCERN, A, DANGER, MED, OTHERS, PLAN, SH, P, compile_rules
from eva_cli.safety.rules import RuleSpec as R

MACROS = {
    # adverbs and intensifiers that may sit inside a phrase ("I just really want to die")
    "F": r"(?:(?:just|really|honestly|truly|seriously|literally|actually|so|kind of|sort of|simply|still|sometimes|often|always|"
    r"genuinely|lowkey|low key|legit|now|again|also|even|almost|completely|totally|pretty much|basically|very|badly|desperately|"
    r"finally|already|definitely|probably|maybe|fucking|fuckin|fking|fkn|freaking|frickin|damn|fr|srsly|rly|kinda|like|all|"
    r"quietly|secretly|constantly|keep|kept|want to|wanting to) )*",
    "SELF": r"my ?self|me ?self",
    "DRUG": r"pills?|tablets?|meds|medications?|capsules|paracetamol|acetaminophen|tylenol|ibuprofen|advil|aspirin|sleeping pills?|"
    r"sleeping tablets|painkillers?|pain killers?|antidepressants?|insulin|sertraline|zoloft|prozac|fluoxetine|xanax|benzos?|"
    r"opioids?|oxycodone|oxy|oxys|fentanyl|heroin|bleach|antifreeze|rat poison|poison|cyanide|benadryl|melatonin|lithium|"
    r"quetiapine|seroquel|amitriptyline|codeine|tramadol|morphine|diazepam|valium|lorazepam|ativan|clonazepam|klonopin|"
    r"pills of|\d+ ?mg",
    "PERSON": r"he|she|they|my (?:[^\s.!?…]+ )?(?:husband|wife|boyfriend|girlfriend|partner|ex|ex husband|ex wife|ex boyfriend|ex girlfriend|"
    r"dad|father|stepdad|stepfather|mom|mother|stepmom|stepmother|brother|sister|uncle|aunt|cousin|grandpa|grandfather|son|"
    r"parents?|family|neighbou?r|roommate|flatmate|boss|landlord|pimp|coach|teacher|guardian|carer|caretaker|fiance|fiancee)|"
    r"someone|somebody|a (?:man|guy|woman|stranger)|this (?:guy|man|person|woman)|some (?:guy|man|people)|people|his friends|"
    r"the (?:man|guy|men)",
    "VICTIMS": r"him|her|them|someone|somebody|anyone|everyone|everybody|people|all of them|these people|those people|"
    r"my (?:[^\s.!?…]+ )?(?:husband|wife|boyfriend|girlfriend|partner|ex|boss|manager|dad|father|mom|mother|brother|sister|son|daughter|"
    r"baby|babies|kid|kids|children|child|neighbou?rs?|teacher|classmates?|coworkers?|colleagues?|roommates?|flatmates?|family|"
    r"parents?|stepdad|stepfather|stepmom|stepmother|landlord|bully|bullies|uncle|aunt|cousin)|"
    r"the (?:baby|kids?|children|teacher|class|school|whole class|neighbou?rs?|bully|bullies)|"
    r"(?:the|my|those|these|all the|all my) (?:classmates?|coworkers?|colleagues?|neighbou?rs?)|a (?:kid|child|person|stranger|random person)",
    # ordinary reasons to say goodbye or to stop using something
    "MOVE": r"\b(?:moving|move|moved|relocat\w*|flight|flying|fly|trip|travel\w*|vacation|holiday|abroad|overseas|leaving for|off to|"
    r"new job|new city|new school|deploy\w*|semester|exchange|graduat\w*|retir\w*|quitting|resign\w*|camp|offline|detox|"
    r"break from|logging off|log off|delet\w* (?:this|the|my) (?:app|account)|uninstall\w*|this (?:app|bot|chat|group|server|channel|"
    r"thread|account)|unsubscrib\w*|block\w*|job|work|office|school|class|shift|internship|contract|team|company|apartment|"
    r"house|dorm|lease|appointment|dentist|surgery|operation|conference|meeting|wedding|visit\w*)\b",
    "CHATCLOSE": r"\b(?:see you|see ya|talk (?:to you )?(?:soon|later|tomorrow)|tomorrow|next (?:week|time|year|month)|good ?night|"
    r"gn|have a (?:good|great|nice|lovely)|for now|for today|for tonight|till|until|ttyl|brb|later|cya|bye for now|take care)\b",
    "DECLUTTER": r"\b(?:new ones|bought new|got new|replaced|charity|charities|donat\w*|declutter\w*|clean(?:ing)? out|clear(?:ing)? out|moving|move|relocat\w*|"
    r"garage sale|yard sale|thrift|goodwill|outgrew|outgrown|too small|do not fit|minimalis\w*|konmari|spring clean\w*|"
    r"sell(?:ing)?|sold|new one|upgrad\w*|bought a new|for free|marketplace|craigslist|ebay|broke|broken|graduat\w*|"
    r"finished|quit|vegan|diet|return\w*|refugees?|shelter|volunteer\w*|army|soldiers|war effort|fundrais\w*)\b",
    "TRIVIAL": r"\b(?:if|for|when) (?:he|she|they|you) (?:[^\s.!?…]+ )?(?:eats?|ate|eating|touch(?:es|ed)?|takes?|took|steals?|stole|borrows?|"
    r"borrowed|forgets?|forgot|spoils?|spoiled|spoilt|tells?|told|calls?|called|leaves?|left|uses?|used|finish(?:es|ed)?|drinks?|"
    r"drank|wakes?|woke|is late|are late|was late|cancels?|cancell?ed|texts?|snores?|chews?|plays?|sings?|does (?:that|it) again|"
    r"says|said|puts?|moves?|breaks?|broke)\b|\bfor (?:eating|taking|stealing|borrowing|forgetting|spoiling|telling|calling|leaving|"
    r"using|finishing|drinking|waking|being late|cancell?ing|snoring|chewing|not|making|breaking|losing|ruining|missing|"
    r"that|this|doing)\b|\b(?:grades?|report card|exam|test|homework|dent|scratch(?:ed)?|phone bill|mess|late|curfew|tattoo|"
    r"haircut|piercing|spent|spoilers?|cake|fries|pizza|leftovers|vase|dress|car|the game|score|shoes|charger|netflix)\b",
    "SYMPTOM": r"\b(?:numb|hard to breathe|cannot breathe|can not breathe|struggling to breathe|breathing (?:is )?(?:weird|slow|shallow|strange)|"
    r"dizzy|spinning|heart (?:is )?(?:racing|pounding|beating (?:weird|fast|strange)|weird)|chest (?:feels|hurts|is) (?:wrong|tight|weird|heavy)|"
    r"chest pain|throwing up|vomiting|puking|passing out|pass out|blacking out|cannot feel|can not feel|blurry|slurred|tongue|seeing double|"
    r"shaking|convulsing|confused|cannot stay awake|so sleepy|falling asleep|will not wake|wont wake|not waking|foaming|turning blue|"
    r"everything is (?:spinning|blurry|floating)|feel (?:so )?(?:weird|strange|sick|drowsy|faint))\b",
    "TIMING": r"\b(?:tonight|tomorrow|tomorrow morning|this weekend|before anyone wakes|when (?:everyone|they|he|she|my \w+) (?:is asleep|sleeps|leaves|goes|falls asleep)|"
    r"after (?:my|the|everyone|they|he|she) \w+ (?:leaves|goes|falls asleep|is asleep)|as soon as|this week|on (?:monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday)|at midnight|in the morning|in an hour|soon)\b",
    "TRIVIAL_IF": r"\b(?:if|when) (?:she|he|they|mom|mum|dad|my \w+) (?:\w+ )?(?:sees?|saw|finds? out|found out|hears?|heard|notices?|"
    r"learns?|knows?|gets? home)\b|\b(?:if|when) i (?:am late|miss|forget|fail|break|lose|dent|scratch|spend|do not clean|eat)\b|"
    r"\b(?:lol|lmao|haha\w*|jk|just kidding)\b",
    "PET": r"\b(?:dog|dogs|cat|cats|puppy|kitten|pet|pets|hamster|rabbit|parrot|horse|vet|toddler swallowed|kid swallowed|child swallowed)\b",
    "GAME": r"\b(?:minecraft|roblox|fortnite|skyrim|terraria|gta|sims|video game|in game|in the game|the game|my character|npc|"
    r"zombie|boss fight|dnd|d and d|campaign|novel|story|fiction|screenplay|script|writing a)\b",
    "WORKDAY": r"\b(?:at|of|in|with) (?:work|my job|the job|the office|school|the company|this job|camp|the team|uni|college|"
    r"university|the semester|term|vacation|holiday|internship|practice)\b|\b(?:job|work|office|school|internship|contract|"
    r"shift|semester|company|team|vacation|holiday|trip|visit|here at|retire\w*|leave|leaving)\b",
}

SPECS: list[R] = [
    # ---- active ideation: direct statements about killing oneself or wanting to die --------------------------
    R("kill_myself", A, "crisis",
      r"\b(?:kill(?:ing|ed|s)?|off(?:ing|ed)?|murder(?:ing)?|unaliv(?:e|ing|ed)|delete|deleting|erase|erasing) (?:<<SELF>>)\b",
      neg=True, third=False, past=True, humor="lower",
      after=r"^ (?:in (?:the|this|that) (?:game|level)|laughing|with laughter|from laughing)"),
    R("method_myself", (A, PLAN), "crisis",
      r"\b(?:shoot|shooting|shot|drown|drowning|drowned|poison|poisoning|poisoned|suffocate|suffocating|gas|gassing|electrocute|electrocuting|"
      r"hang|hanging|hanged|throw|throwing|starve|starving|overdose|overdosing|od) <<F>>(?:<<SELF>>)\b",
      neg=True, third=True, past=True, humor="lower",
      after=r"^ (?:in the (?:foot|leg|face)|out there|into (?:work|my work|studying|the project|it|this)|at (?:the|a) (?:wall|problem)|"
      r"a (?:question|message|text)|with (?:work|coffee|caffeine|questions)|on (?:coffee|caffeine|sugar|chocolate|candy|tv|netflix))"),
    R("kms_slang", A, "crisis", r"\b(?:kms|kmsl|kmss|unalive|unaliving|sewerslide|commit die|commit toaster bath|toaster bath|"
      r"rope myself|want to rope|wanna rope|catch the bus|ctb)\b", neg=True, humor="lower", past=True),
    R("end_my_life", A, "crisis",
      r"\b(?:end(?:ing|ed|s)?|tak(?:e|es|ing)|took|taken) (?:my|my own) (?:own )?life\b|"
      r"\bend(?:ing)? (?:it all|everything|my existence|my suffering for good|my story|things for good|it for good|my own story)\b|"
      r"\bput(?:ting)? an end to (?:my life|it all|myself|everything|my existence)\b",
      neg=True, third=True, past=True, humor="lower",
      after=r"^ (?:with|between)\b"),
    R("end_it", A, "crisis",
      r"\b(?:want|wanna|going|gonna|ready|decided|about|planning|plan|need|have|thinking about|thinking of|think about|"
      r"tempted|urge|going to|i will|i am going to|close to|so close to|near|on the verge of|this close to|considering|contemplating|thought about|"
      r"thinking about|think about|thinking of|thought of) (?:to )?<<F>>(?:end|ending) (?:it|things)(?: now| tonight| today| soon| already)?(?= ?(?:[.!?…,]|$| (?:tonight|today|soon|now|for real|this time|once and for all)))",
      neg=True, third=True, humor="lower"),
    R("suicide_first_person", A, "crisis",
      r"\b(?:commit(?:ting|ted)?|do(?:ing)?|attempt(?:ing|ed)?|consider(?:ing|ed)?|contemplat(?:e|ing|ed)|think(?:ing)? (?:about|of)|"
      r"thought (?:about|of)|thoughts (?:of|about)|plan(?:ning|ned)?|want to|going to|try(?:ing)?|tried|close to|thinking seriously about|"
      r"obsessed with|fantasi[sz]ing about|dream(?:ing)? about|researching|leaning towards) (?:committing )?suicide\b|"
      r"\bsuicide (?:is|seems|feels like) (?:my|the) (?:only|best|last) (?:way|option|choice|answer|solution|way out)\b|"
      r"\b(?:i have|i had|i made) (?:a |two |three |several |multiple )?(?:suicide )?attempts?\b",
      neg=True, third=True, past=True, topic=True),
    R("suicidal", A, "crisis",
      r"\b(?:i am|i feel|i felt|i have been|i have felt|i get|i got|feeling|feel|felt|been|getting|becoming|so|very|really|"
      r"pretty|quite|extremely|super|kinda|kind of|more|actively|passively|severely) <<F>>suicidal\b|"
      r"\b(?:i have|i had|i get|i keep having|having|been having|my|constant|recurring|intrusive) (?:[^\s.!?…]+ )?suicidal (?:thoughts|ideation|"
      r"feelings|urges|impulses|episodes?)\b|\bsuicidal (?:again|rn|right now|today|tonight|lately|these days|all the time)\b",
      neg=True, third=True, past=True, topic=True),
    R("want_to_die", A, "crisis",
      r"\b(?:want|wanting|wanted|need|needing|ready|deserve|desperate|long|longing|planning|plan|decided|choose|choosing|prefer|"
      r"would like|wish|wishing|hoping|trying|pray|praying) (?:to )?<<F>>(?:die|be dead|stop living|stop existing|not exist|"
      r"not be alive|cease to exist|not be here anymore|not be here any longer|be gone for good|be gone forever|leave this world|"
      r"leave this earth|go to sleep forever|stop breathing|not wake up)\b|"
      r"\b(?:part of me|a part of me|something in me|everything in me|all of me) (?:just |really |still )?(?:wants|is ready|needs|longs|is longing|"
      r"is begging) (?:to )?<<F>>(?:die|be dead|stop living|stop existing|not exist|not be alive|disappear forever|end it|not wake up)\b",
      neg=True, third=True, past=True, humor="lower",
      after=r"^ (?:of|from) (?:embarrassment|shame|laughter|laughing|boredom|cringe|cuteness|jealousy|happiness|envy|excitement|"
      r"curiosity)|^ (?:laughing|happy|old|in (?:peace|my sleep at|a (?:game|match)|the game)|on (?:this|that) hill|for (?:this|that|my|a|the|love)|"
      r"with (?:my|a) (?:boots|dignity)|of old age|peacefully (?:one day|someday|at)|someday|one day|when i am old|at \d+|at a good age)|"
      r"^ (?:my|your|his|her|our|the|this|that|some) (?:[^\s.!?…]+ )?(?:hair|clothes|shirt|jeans|eyebrows|beard|fabric|dress|shoes|wall|walls|"
      r"sweater|hoodie|tips|roots|bangs)|^ (?:it|them) (?:[^\s.!?…]+ )?(?:blue|red|black|pink|green|purple|blonde|brown|white|grey|gray)",
      ),
    R("dont_want_to_live", A, "crisis",
      r"\b(?:do not|never|no longer|not|nor) <<F>>(?:want|wish|care|feel like|plan|intend|see (?:a |any )?(?:reason|point)) (?:to )?<<F>>"
      r"(?:live|living|be alive|being alive|go on living|keep living|continue living|continue|stay alive|be here anymore|"
      r"be here any longer|be on this earth|be in this world|see tomorrow|see another day|survive this|live anymore|do life)\b",
      third=True, past=True,
      after=r"^ (?:in|at|with|near|without) (?:this|that|my|a|the|him|her|them|such)\b|^ (?:here|there|alone|together|abroad|like a)\b|"
      r"^ (?:in|at) (?:[^\s.!?…]+ )?(?:city|town|country|house|apartment|place|dorm|flat)"),
    R("dont_want_to_exist", P, "elevated",
      r"\b(?:do not|never|no longer|not) <<F>>(?:want|wish|care) (?:to )?<<F>>(?:exist|existing|be a person|be a thing)(?: anymore| any more| at all)?\b",
      signal="passive", third=True, past=True),
    R("not_sure_want_to_live", P, "elevated",
      r"\b(?:not sure|unsure|do not know|no idea) (?:if |whether |that )?i (?:even |still |really )?(?:want|wanna) (?:to )?(?:live|be alive|exist|"
      r"go on|keep going|be here anymore|keep living|wake up)\b", signal="passive"),
    R("tired_of_living", P, "elevated",
      r"\b(?:tired|sick|exhausted|weary|done) (?:of|with) <<F>>(?:living|being alive|existing|breathing|this existence)\b",
      signal="passive", neg=True, third=True, past=True),
    R("tired_of_life", P, "elevated",
      r"\b(?:tired|sick|exhausted|weary|done) (?:of|with) <<F>>(?:life|my life|this life|waking up|everything and everyone|it all)\b",
      signal="passive", neg=True, third=True,
      after=r"^ (?:in|at|as) (?:this|the|a|my) (?:city|town|job|office|school|village)"),
    R("better_off_dead", A, "crisis",
      r"\b(?:better off|rather be|happier|prefer to be|would be better|be better) <<F>>dead\b|"
      r"\b(?:i would|i will|i had|i|would) <<F>>rather <<F>>(?:die|be dead|not exist|not be alive|not wake up|disappear forever)\b",
      third=True, humor="lower",
      after=r"^ (?:than|then) (?!(?:live|living|go on|keep|continue|wake|be alive|feel|suffer|exist|spend another|face another|be like this|"
      r"be me|stay|go back|keep living|be here|feel this))"),
    R("wish_dead", P, "elevated",
      r"\bwish (?:that )?i <<F>>(?:was|were|could be|would be|had been) dead\b|"
      r"\bwish (?:that )?i <<F>>could (?:just )?(?:die|stop existing|not exist|disappear|vanish|sleep forever|fall asleep and (?:never|not) wake up|"
      r"go to sleep and (?:never|not) wake up|never wake up|cease to exist|fade away|be erased|evaporate)\b|"
      r"\bwish (?:that )?i <<F>>(?:was|were|had been|had) never (?:been )?born\b|\bwish i <<F>>(?:never existed|did not exist)\b|"
      r"\bwish (?:that )?i <<F>>(?:would|will|could|did) (?:not|never) wake up\b|"
      r"\bwish (?:that )?i <<F>>(?:was|were) (?:gone|not here|not alive|never here|invisible forever)\b|"
      r"\b(?:wish|wishing|hope|hoping|pray|praying) (?:that )?(?:someone|somebody|something|god|a car|a truck|a bus|a train|death|a plane) "
      r"(?:would |will )?<<F>>(?:kill me|end (?:me|my life|it)|hit me|run me over|take me|crash)\b",
      signal="passive", third=True, humor="lower"),
    R("hope_not_wake", P, "elevated",
      r"\b(?:hope|hoping|pray|praying|wish|wishing) (?:that )?(?:i|to) <<F>>(?:do not|never|will not|not) <<F>>wake up\b(?! (?:late|early|on time|in time|too late|the|him|her|the kids|everyone|my))|"
      r"\b(?:hope|hoping|pray|praying) (?:that )?i <<F>>(?:die|get hit by a (?:car|bus|truck|train)|do not make it|crash|never wake)\b|"
      r"\b(?:sleep|fall asleep|went to sleep|fell asleep|go to sleep) (?:and|&) (?:never|not|did not) (?:wake|woke) up\b|\bnot (?:to )?wake up (?:tomorrow|again|ever)\b|"
      r"\bdo not want to wake up(?: (?:anymore|again|tomorrow|ever))?(?= ?(?:[.!?…,]|$|anymore|again|tomorrow|ever))|"
      r"\b(?:want|wanna|need|wish i could) (?:to )?<<F>>(?:sleep|rest) (?:forever|permanently|eternally|for ever|and never wake up)\b|"
      r"\b(?:want|wish|need|hope|pray) (?:for )?(?:someone|somebody|something|god|a car|a truck|a bus) (?:would |to |will )?<<F>>"
      r"(?:kill me|end (?:me|my life)|hit me|run me over|take me away forever|shoot me)\b",
      signal="passive", third=True, humor="lower",
      after=r"^ (?:late|early|on time|in time|for (?:school|work|class)|until|till)"),
    R("disappear", P, "elevated",
      r"\b(?:want|wanna|need|wish|wishing|longing|long) (?:to|i could) <<F>>(?:disappear|vanish|fade away|stop existing|not be here|evaporate|"
      r"be erased|cease|not be around|not be a part of this world)\b",
      signal="passive", neg=True, third=True,
      after=r"^ (?:for (?:a|the|some|few|one|an|two|three|this|like a|maybe a) |to (?:a|an|the|some|another|somewhere|my room|bed|mars|the moon)\b|"
      r"on (?:a )?(?:vacation|holiday|trip)|into (?:a|the|my) (?:book|game|blanket|bed|room|crowd|hoodie|music|forest|mountains)|"
      r"somewhere (?:warm|sunny|quiet|far away for|nice)|from (?:social media|instagram|twitter|tiktok|the internet|this (?:party|meeting|class|chat|group|conversation))|"
      r"(?:in|at|during) (?:this|the|that) (?:meeting|class|party|lecture|conversation|dinner|room)|under (?:a|the|my) (?:blanket|covers|desk|table)|"
      r"until|till|after this|from here for|off (?:the grid|social))|\bfor (?:a|the|one|two|three|few|this|like a|maybe a|some|the rest of the) "
      r"(?:week|weekend|day|days|while|bit|month|hours?|night|evening|afternoon|summer|holidays?|semester)\b"),
    R("whats_the_point", P, "elevated",
      r"\bwhat is (?:even )?(?:the )?(?:even )?point (?:of|in) <<F>>(?:living|life|being alive|going on|anything|it all|any of this|existing|"
      r"trying anymore|carrying on|waking up|everything|me|my life|doing anything|getting up|staying alive|continuing|being here)\b|"
      r"\bwhat is (?:even )?(?:the )?point(?: of it)?(?: anymore| any more)? ?(?:[.?!…,]|$)|"
      r"\bno (?:point|reason|purpose) (?:in|to|for) (?:me )?<<F>>(?:living|live|being alive|go on|going on|keep going|keep living|carry on|"
      r"carrying on|exist|existing|stay alive|staying alive|wake up|waking up|be here|being here|try anymore|anything anymore)\b|"
      r"\bnothing (?:left )?to live for\b|\bno (?:reason|will|desire|point) (?:left )?to (?:live|go on|keep going|stay alive)\b|"
      r"\b(?:life|my life|living|existence|my existence) (?:is|feels|seems) (?:not|no longer|never|really not) worth (?:living|it|anything)\b|"
      r"\b(?:life|my life|existence|my existence|living) (?:is|feels|seems) (?:so |completely |totally |utterly )?(?:pointless|meaningless|unbearable)\b|"
      r"\bthere is no point (?:anymore|any more|in anything|to anything|to any of it)\b|\bno point (?:in )?(?:anything|living) anymore\b",
      signal="passive", neg=False, third=True),
    R("cant_go_on", P, "elevated",
      r"\bi (?:cannot|can not|just cannot|really cannot|can no longer|could not) <<F>>(?:go on|keep going|carry on|do this anymore|"
      r"take (?:it|this|this pain|the pain|much more|any more|this life) ?(?:anymore|any longer|any more)?|live like this|keep living|"
      r"handle (?:it|life|this|living) anymore|do life anymore|bear (?:it|this|living) anymore|survive (?:this|another day)|"
      r"keep doing this|face (?:another day|tomorrow|life)|do this life)(?: like this| this way)?\b(?= ?(?:[.!?…,]|$|anymore|any longer|no more| i | and | it is))|"
      r"\b(?:see|there is|i have|seeing|there are|i see|i can see) no (?:way out|exit|other (?:way|option|choice|solution) but|future|"
      r"light at the end|hope left|hope anymore)\b|\bno way out\b(?! of (?:this|the|my) (?:contract|lease|deal|room|building|game|maze|level|meeting|class))|"
      r"\bi (?:give|gave|am giving) up on (?:life|living|everything|myself|it all|being alive|staying alive)\b|"
      r"\b(?:want|need|wish|just want|need) (?:it all|everything|all of this|my life|this life|the pain|the suffering) to (?:end|stop|be over)"
      r"(?: forever| for good| permanently)?(?= ?(?:[.!?…,]|$| forever| for good| permanently))",
      signal="passive", third=True,
      after=r"^ (?:to (?:the|this|that|work|school|class|gym)|with (?:this|that|the|my) (?:job|class|course|project|diet|workout|plan|relationship)|"
      r"in (?:this|that) (?:job|class|school|relationship))"),
    R("im_done", P, "elevated",
      r"^(?:honestly |ok |okay |well |yeah |so )?(?:i am|i am so|i am just|i am really|i am literally|i think i am|i am so fucking) "
      r"<<F>>done(?: with everything| with it all| with life| with this life| with living)?(?: anymore)?[ .!…]*$|"
      r"\bi am <<F>>done (?:with (?:life|living|it all|this life|this world|being alive|existing|all of (?:this|it)|everything and everyone)|"
      r"fighting|trying to survive|pretending i am okay)\b",
      signal="passive", neg=True),
    R("reunion_with_dead", P, "elevated",
      r"\b(?:want|wanna|wish|long|longing|need|ready|going|waiting) (?:to|i could) <<F>>(?:join|be with|go to|follow) (?:him|her|them|my (?:[^\s.!?…]+ )?"
      r"(?:mom|mother|dad|father|son|daughter|baby|brother|sister|husband|wife|partner|friend|grandma|grandpa|grandmother|grandfather)) "
      r"(?:again |there |up there |soon |now )*(?:in heaven|up there|on the other side|in the afterlife|in death|wherever (?:he|she|they) (?:is|are)|"
      r"where (?:he|she|they) (?:is|are|went)|soon|now)\b",
      signal="passive", requires=r"\b(?:died|dead|death|passed|gone|heaven|funeral|lost|grave|killed|miss (?:him|her|them))\b"),
    R("over_for_me", P, "elevated",
      r"\b(?:it is|its|everything is|life is) (?:all |just |really )?over for me\b|\bthere is no (?:future|hope|tomorrow) for me\b|"
      r"\bi (?:have|got) nothing (?:left )?to live for\b",
      signal="passive", third=True, humor="lower",
      message_not=r"\b(?:exam|test|game|grade|grades|interview|team|season|match|tournament|level|round|class|course|diet)\b"),
    R("bare_goodbye", (A, PLAN), "none",
      r"\b(?:goodbye|good bye|bye forever|farewell|bye bye|so long)\b(?: (?:everyone|all|world|guys|friends))?(?= ?(?:[.!…]|$))",
      signal="goodbye", message_not=r"<<MOVE>>|<<CHATCLOSE>>|\b(?:grandma|grandpa|funeral|hospice|dog|cat|pet|summer|winter|party)\b"),
    R("thinking_of_death", P, "elevated",
      r"\b(?:imagining|imagine|picturing|picture|dreaming about|dream about|daydreaming about|fantasi[sz]ing about|fantasi[sz]e about|"
      r"obsessing over|obsessed with) (?:my (?:own )?(?:funeral|death|suicide|grave|dead body)|being dead|dying|not being alive|not existing|"
      r"my family without me)\b|"
      r"\b(?:think|thinking|thought|obsess|obsessing) (?:a lot |constantly |all the time |every day |every night |so much |more and more )?"
      r"about (?:dying|death|being dead|my (?:own )?death|not being alive|not existing|not being here|how i (?:would|will|could) die)\b|"
      r"\b(?:do not|cannot|can not|really do not) see myself (?:being )?(?:alive|here|around|living|still here) (?:next|in|by|much longer|for long|"
      r"anymore|at|when)\b|\bi (?:will not|am not going to|do not think i will) (?:make it|live|survive) (?:to|until|till|past) "
      r"(?:my|next|the end|christmas|new year|summer|\d+)\b",
      signal="passive", third=True, topic=True,
      message_not=r"\b(?:scared of|afraid of|fear of|terrified of|health anxiety|anxious about|philosophy|philosophical|stoic\w*|memento mori)\b"),
    R("easier_not_alive", P, "elevated",
      r"\b(?:it would be|it is|would be|it would|it will be|things would be|everything would be|life would be) (?:so much |much |a lot |way |just )?"
      r"(?:easier|better|simpler|nicer|a relief|more peaceful|less painful) (?:for me )?(?:to|if i could|if i) (?:just )?(?:not be alive|not exist|"
      r"not be here|not be around|die|died|be dead|was dead|were dead|disappear|disappeared|not wake up|did not wake up|stop existing|never wake up|"
      r"was gone|were gone|just go to sleep forever|fell asleep forever)\b",
      signal="passive", third=True),
    R("death_only_way", A, "crisis",
      r"\b(?:death|dying|suicide|ending it|ending my life|killing myself|not being alive|to die) (?:is|seems|feels|looks) (?:like )?(?:my |the )?"
      r"(?:only|best|last|easiest|one) (?:way out|option|answer|solution|escape|choice|way|thing left|relief)\b|"
      r"\bthe only (?:way out|escape|solution|answer|option) (?:is|would be) (?:to die|death|dying|suicide|ending it|killing myself)\b",
      third=True, topic=True),
    R("unsafe_with_myself", (A, SH), "crisis",
      r"\b(?:scared|afraid|worried|terrified|frightened) (?:that )?(?:of what )?i (?:might|will|could|would|am going to|may) "
      r"(?:do something (?:to myself|stupid|bad|drastic|i cannot take back)|do to myself|hurt myself|harm myself|kill myself|not (?:make it|survive) "
      r"(?:the night|tonight|the weekend|this))\b|"
      r"\b(?:cannot|can not|do not think i can|not sure i can|unable to|could not) (?:keep|stay) (?:myself )?safe\b|"
      r"\bi do not (?:trust|feel safe with) myself (?:tonight|right now|anymore|alone|around)\b",
      third=True),
    R("planning_death", (PLAN, A), "crisis",
      r"\b(?:planning|plan|planned|preparing|prepared|arranging|organi[sz]ing) (?:out )?my (?:own )?(?:suicide|death|exit|final exit|last day|"
      r"last night|way out)\b",
      neg=True, third=True, topic=True),
    R("means_at_hand", (PLAN, A), "crisis",
      r"\b(?:pills|tablets|meds|a bottle of pills|the bottle|a bottle|razor|razors|a razor|blade|blades|the blade|a knife|the knife|knife|rope|"
      r"the rope|noose|gun|the gun|a gun|the pills) (?:are |is )?(?:in my hands?|in front of me|on my (?:desk|table|bed|lap|nightstand)|"
      r"next to me|right here|beside me|(?:all )?lined up|laid out|counted out|ready)\b|"
      r"\b(?:staring|looking|sitting here looking) at (?:the |a |my |these |those |all (?:the|my) )?(?:pills|tablets|meds|bottle of pills|"
      r"razor|razors|blade|blades|knife|rope|noose|gun|edge|tracks)\b|\b(?:counted|counting|count|recount\w*) (?:them|the pills|my pills|out (?:the|my) pills)\b|"
      r"\bi (?:have|got|am holding|hold) (?:all )?(?:the |my |a |some )?(?:pills|tablets|razor|blade|knife|rope|gun) (?:in my hands?|right here|"
      r"with me|next to me|ready)\b",
      requires=r"\b(?:right now|now|tonight|staring|ready|counting|counted|all of them|so easy|end it|goodbye|thinking|want to|do it|every night|"
      r"enough|whole bottle|lined up|looking at|sitting here)\b",
      third=True, accident=True,
      message_not=r"\b(?:cooking|kitchen|recipe|vitamins?|prescri\w*|pharmacy|dinner|chopping|shaving|camping|hunting|range)\b"),
    R("vehicle_intent", (PLAN, A), "crisis",
      r"\b(?:want|wanna|going|gonna|thinking about|thinking of|tempted|urge|plan|planning|i will|about|ready|considering|fantasi[sz]e about|"
      r"imagine|imagining|close to|almost) (?:to )?<<F>>(?:drive|driving|crash|crashing|steer|steering|swerve|swerving|ram|ramming) "
      r"(?:my car |my truck |the car |my bike |myself |it )?(?:into|off|in front of|under) (?:a |the |an |oncoming )?(?:wall|tree|cliff|bridge|"
      r"traffic|truck|lorry|river|lake|pole|barrier|semi|train|bus|ravine|concrete)\b",
      neg=True, third=True, humor="lower"),

    # ---- added after the first held-out run: implicit preparation, means, symptoms, control ------------------
    R("ingestion_symptoms", MED, "crisis",
      r"\b(?:took|taken|swallowed|downed|ate|popped|drank|had|mixed|mixing|washed down|chased|double dosed|doubled up on|injected) "
      r"(?:[^\s.!?…]+ ){0,5}?(?:<<DRUG>>)\b|"
      r"\b(?:<<DRUG>>) (?:[^\s.!?…]+ ){0,3}?(?:twice|three times|double|again by mistake|with (?:alcohol|vodka|wine|whiskey|beer|booze))\b",
      requires=r"<<SYMPTOM>>|\bon purpose\b|\bi think i (?:took|had) (?:too|double|twice)", past=True,
      message_not=r"\b(?:years ago|last year|when i was|hangover|yesterday (?:morning|afternoon)|food poisoning|flu|covid|allerg\w*|vaccine|shot today)\b"),
    R("will_take_them", (PLAN, A), "crisis",
      r"\b(?:i am|i will|going to|gonna|i am going to|planning to|plan to|about to) (?:take|taking|swallow|swallowing|down|downing) "
      r"(?:them|it|all of them|them all|the pills|all the pills|all my pills|all of it|the lot|every one of them|the whole (?:bottle|pack|box))"
      r"(?: all)? (?:<<TIMING>>|after|when|once|at|before)",
      neg=True, third=True, requires=r"\b(?:pills?|tablets?|meds|bottle|pack|box|<<DRUG>>|them)\b",
      message_not=r"\b(?:vitamins?|antibiotics?|as prescribed|with (?:food|breakfast|dinner))\b"),
    R("how_i_would_do_it", (PLAN, A), "crisis",
      r"\b(?:thinking|thought|planning|planned|figured out|worked out|know|decided|deciding|researching|researched|wondering) (?:about |out )?"
      r"(?:exactly )?how i (?:would|will|could|am going to|am gonna|should|might|would ever) (?:do it|end it|go through with it|make it happen)\b|"
      r"\b(?:i|i have|i already) (?:know|figured out|worked out|found) (?:exactly )?how (?:to make (?:that|it|this) happen|to arrange (?:it|that|this)|"
      r"i will do it|to do it)\b|\bthinking about how to make (?:that|it|this) happen\b",
      third=True, message_not=r"<<GAME>>|\b(?:project|renovat\w*|proposal|propose|surprise|party|recipe|business|presentation|essay|move|"
      r"wedding|trip|garden|exam|interview|quit my job|tell (?:him|her|them|my))\b"),
    R("high_enough", (PLAN, A), "crisis",
      r"\b(?:bridge|roof|rooftop|building|balcony|cliff|tower|overpass|floor|window|ledge|parking garage|car park|parking lot|parking deck|"
      r"multi storey|multistorey|quarry|dam|drop)\b "
      r"(?:[^\s.!?…]+ ){0,8}?(?:is|are|looks|seems|should be|would be|must be) (?:definitely |probably |easily |more than )?(?:high|tall|deep) enough\b",
      third=True, after=r"^ (?:for (?:\w+ ){0,2}(?:trucks|buses|boats|ships|cars|vehicles|lorries|trains|people|kids|the|a|my|our)|to (?:pass|fit|drive|walk|"
      r"stand|get under|see|hang))",
      message_not=r"<<GAME>>|\b(?:view|photo|sunset|hike|dive|diving|jump into the water|swim|bungee|skydiv\w*|parachute|ceiling fan|shelf)\b"),
    R("wouldnt_mind_dying", P, "elevated",
      r"\b(?:would not|would|do not|will not|would not really|honestly would not) (?:even )?(?:mind|care|be sad|be upset|complain) if "
      r"(?:i|a \w+|something|someone|the plane|my plane|god) (?:just )?(?:died|die|hit me|hits me|killed me|kills me|ran me over|runs me over|"
      r"did not wake up|never woke up|got hit|get hit|took me|crashed|fell asleep and never)\b|"
      r"\b(?:would not|do not|would) (?:really )?(?:mind|care about) (?:dying|not waking up|being dead|disappearing|getting hit by)\b",
      signal="passive", third=True),
    R("hypothetical_not_waking", P, "elevated",
      r"\b(?:if|when) i (?:just )?(?:went|go|fell|fall|were to go|were to fall) (?:to )?sleep (?:and|&) (?:never|not|did not|do not) (?:woke|wake) up\b|"
      r"\bif i (?:just )?(?:did not|do not|never|would not) (?:wake|woke) up\b|\bif i (?:just )?(?:died|disappeared|was gone|were gone) "
      r"(?:tomorrow|tonight|today|one day|right now)\b",
      signal="passive", third=True, message_not=r"\b(?:alarm|late for|miss (?:my|the) (?:flight|bus|train|exam)|on time)\b"),
    R("burden_words", P, "elevated",
      r"\b(?:i am|i have been|i have always been|been|being|i feel like|i feel|i am just|i am only|i will always be|i am nothing but) <<F>>"
      r"(?:a |such a |just a |nothing but a |the )?(?:dead )?(?:weight|drag|drain|problem|burden|disappointment|mistake|waste|curse) "
      r"(?:on|to|for|in) (?:my |the |everyone|everybody|anyone|them|my \w+|people|you all)\b|"
      r"\b(?:dragging|holding) (?:them|everyone|everybody|my family|my \w+|you all|people) (?:down|back)\b|"
      r"\b(?:i )?(?:only )?(?:ruin|ruining|ruined) (?:everything|everyone s lives|their lives|everybody s li\w+|things) for (?:everyone|them|everybody|my \w+)\b|"
      r"\b(?:deserve|deserves) (?:a )?(?:better|much better) (?:mom|mother|dad|father|parent|parents|wife|husband|partner|daughter|son|friend|"
      r"sister|brother|girlfriend|boyfriend|family member) than me\b|\bwould be (?:relieved|glad|happier|fine|okay|ok|better) (?:if|when) i "
      r"(?:was|were|am) (?:gone|not here|not around|dead|away for good)\b",
      signal="burden", third=False),
    R("gone_for_good", P, "elevated",
      r"\bif i (?:just )?(?:disappeared|vanished|was gone|were gone|left|went away|stopped existing|ceased to exist) "
      r"(?:for good|forever|permanently|for ever)\b|\b(?:disappear|vanish|be gone|go away) (?:for good|forever|permanently)\b",
      signal="passive", third=False, neg=True, message_not=r"\b(?:social media|instagram|tiktok|twitter|facebook|this app|the internet|the group|chat)\b",
      after=r"^ (?:from|off) (?:social|instagram|tiktok|twitter|facebook|this|the)"),
    R("no_longer_a_problem", (P, A), "crisis",
      r"\b(?:will not|am not going to|will no longer|soon will not|not going to) be (?:a |an )?(?:problem|burden|bother|trouble|issue|weight|"
      r"nuisance|worry) (?:(?:for|to) (?:anyone|anybody|everyone|you|them|you all|my family|my \w+) )?(?:for )?(?:much longer|for long|anymore|soon|after "
      r"(?:tonight|today|this)|any longer)\b|\bsoon (?:i will not|i will no longer|nobody will have to|no one will have to) "
      r"(?:be a (?:problem|burden)|deal with me|worry about me)\b",
      third=True),
    R("wrapping_up", (A, PLAN), "crisis",
      r"\b(?:cancell?ed|cancell?ing|cancel) (?:all )?(?:of )?my (?:subscriptions|memberships|accounts|plans|phone contract|gym membership)\b|"
      r"\b(?:paid|paying|pay) (?:back|off) (?:what i owe|all my debts|my debts|everyone|everybody|the money i owe|all the money)\b|"
      r"\b(?:deleted|deleting|delete|wiped|wiping) (?:all )?(?:of )?my (?:socials|social media|accounts|instagram|insta|facebook|tiktok|profiles?|"
      r"photos|pictures|messages|search history)\b|\b(?:wrapping|wrap|wrapped) (?:things|everything|it all|stuff) up\b|"
      r"\btying up (?:all )?(?:the |my )?loose ends\b|\b(?:sorting|sorted|sort) (?:out )?my (?:affairs|things|stuff|paperwork|papers)\b|"
      r"\b(?:settling|settled|getting) my affairs (?:in order|sorted|settled)?\b|\bpasswords (?:[^\s.!?…]+ ){0,5}?(?:for|to|with) "
      r"(?:my \w+|him|her|them|\w+)\b|\b(?:my )?will (?:is )?(?:updated|written|done|signed|sorted|finished)\b|\b(?:the|my) (?:dog|cat|pets?|kids) (?:goes|go|will go) "
      r"to \w+|\breturned (?:all )?(?:the )?(?:things|stuff|books|money) i (?:borrowed|owed)\b|\b(?:feel|feeling|i am) (?:weirdly |strangely |oddly |"
      r"suddenly |so |really )?(?:calm|at peace|peaceful) (?:now|about it|about everything|finally)?(?= ?(?:[.!…,]|$))|"
      r"\b(?:made|making) (?:my )?peace with (?:it|dying|death|my decision|everything|leaving)\b",
      signal="goodbye", min_count=2, third=True,
      message_not=r"\b(?:moving|move|relocat\w*|new job|abroad|emigrat\w*|retir\w*|divorce|budget|saving money|declutter\w*|digital detox|"
      r"detox|new phone|minimalis\w*|spring clean\w*|exams?|focus|semester|trip|travel\w*|vacation|deploy\w*|surgery|operation|"
      r"hospital stay|wedding|baby)\b"),
    R("letters_to_everyone", (A, PLAN), "elevated",
      r"\b(?:wrote|written|writing|write|left|leaving|finished|recorded|recording) (?:[^\s.!?…]+ )?(?:letters?|notes?|messages|videos?|goodbye \w+) "
      r"(?:to|for) (?:each|all|every one|everyone|everybody|my (?:\w+ )?(?:friends|family|parents|kids|children|sisters?|brothers?|mom|dad|wife|husband)|"
      r"the people i love|those i love)\b",
      signal="goodbye", third=True, message_not=r"\b(?:christmas|birthday|holiday|thank you cards|wedding|graduat\w*|pen ?pals?|class|assignment|"
      r"moving|move|abroad|time capsule|future self|deploy\w*|camp|therapist|therapy)\b"),
    R("delivered_after", (A, PLAN), "none",
      r"\b(?:they|you|she|he|everyone|my \w+) (?:will|are going to|is going to) (?:get|read|find|receive|open|see) (?:them|it|this|these|the letters?|"
      r"my letters?|the notes?) (?:after|later|afterwards|when i am gone|once i am gone)\b",
      signal="goodbye"),
    R("farewell_reassurance", (A, PLAN), "none",
      r"\b(?:do not|dont) blame yourselves?\b|\b(?:it is|this is) not (?:your|anyone s|anybodys|anybody s) fault\b|\blove you all\b(?= ?(?:[.!…]|$))|"
      r"\b(?:do not|dont) (?:worry|be sad) (?:about|for) me\b|\bplease (?:do not|dont) (?:be sad|cry|miss me)\b",
      signal="goodbye", message_not=r"<<MOVE>>|<<CHATCLOSE>>"),
    R("soon_no_pain", (A, PLAN), "elevated",
      r"\b(?:soon|tonight|tomorrow|after tonight|shortly|in a few hours|it will all|everything will|all of this will) (?:[^\s.!?…]+ ){0,3}?"
      r"(?:will not|no longer|not|never) (?:hurt|matter|be a problem|be painful|feel (?:anything|this)) (?:anymore|any more|again)?\b|"
      r"\bthe pain (?:will be|is going to be) over (?:soon|tonight|tomorrow|for good)\b|"
      r"\b(?:soon |tomorrow |after tonight )?(?:none of (?:this|it)|nothing) (?:will|is going to) (?:hurt|matter) (?:anymore|any more|again)\b",
      signal="goodbye", third=True, message_not=r"<<MOVE>>|<<CHATCLOSE>>|\b(?:surgery|operation|recover\w*|vaccine|shot|dentist|injury|heal\w*)\b"),
    R("no_plans_past", PLAN, "crisis",
      r"\b(?:no point|no need|not|no use|why bother|pointless|(?:do not|cannot|can not) see (?:the|any) point|stopped)(?: (?:in|of))? (?:making|make|planning|plan|having|booking|buying) "
      r"(?:any )?(?:plans|anything|things|tickets|appointments)? ?(?:past|after|beyond|for after) (?:friday|monday|tuesday|wednesday|thursday|"
      r"saturday|sunday|tonight|tomorrow|this week|the weekend|next week|this month|my birthday|\d+\w*)\b|"
      r"\bi (?:will not|do not|am not going to) need (?:any )?(?:plans|a calendar|an? appointment|tickets) (?:past|after|beyond)\b",
      third=True, message_not=r"<<MOVE>>|\b(?:exam|exams|deadline|results|interview|surgery|operation|biopsy|test results|moving day|wedding)\b"),
    R("hidden_means_urges", (SH, PLAN, A), "crisis",
      r"\b(?:hid|hide|hiding|hidden|locked away|put away|gave away|got rid of) (?:all )?(?:the |my |our )?(?:knives|knife|pills|blades|razors|"
      r"meds|medications?|belts?|ropes?|gun|guns|scissors|lighters?)\b",
      requires=r"\b(?:from myself|thinking|thoughts|urges?|tempt\w*|what i would do|what i might do|what i d do|where they are|keep thinking|"
      r"cannot stop|can not stop|scared of myself|afraid of myself)\b",
      third=True, message_not=r"\b(?:toddler|kids|children|baby|puppy|dog|cat|burglar|thief|party|guests)\b"),
    R("means_access_loss", PLAN, "none",
      r"\b(?:i have|i still have|i kept|keeping|there are|i got|i found) (?:all )?(?:of )?(?:her|his|their|moms|dads|mums|grandmas|my \w+ s) "
      r"(?:old )?(?:pills|meds|medications?|medicine|tablets|sleeping pills|painkillers|prescriptions?)\b|"
      r"\b(?:staring|looking|keep looking|keep staring) at (?:the |my |our |moms |dads )?(?:medicine cabinet|medicine box|pill box|pill bottles?|"
      r"first aid kit|medicine drawer|bottle of \w+)\b|\bi know (?:exactly )?what(?: is)? in (?:there|it|that cabinet)\b|"
      r"\b(?:express|freight|fast|night|high speed) trains?\b|\btrains? (?:[^\s.!?…]+ ){0,4}?(?:go through|pass(?:es)? through|come through|run through|"
      r"speed through|pass by)\b|\b(?:railway|railroad|rail|train|level) crossing\b|\b(?:the )?(?:train )?tracks (?:near|by|behind|at|close to)\b|"
      r"\b(?:dose|doses|mg|milligrams) (?:[^\s.!?…]+ ){0,3}?(?:too much|too many|the max|maximum|overdose|is dangerous)\b|"
      r"\bhow (?:many|much) (?:[^\s.!?…]+ ){0,2}?(?:of )?(?:<<DRUG>>) (?:[^\s.!?…]+ ){0,4}?(?:too much|too many|the max|maximum|overdose|od)\b|"
      r"\b(?:toxic|overdose|dangerous) (?:dose|dosage|amount|level|limit)s?\b|\b(?:overdose|od) on (?:[^\s.!?…]+ )?(?:<<DRUG>>)\b",
      signal="method"),
    R("reunion_dead_crisis", (A, PLAN), "crisis",
      r"\b(?:want|wanna|need|ready|going|waiting|longing|wish i could) (?:to )?<<F>>(?:go|be|come) (?:to )?where (?:he|she|they) (?:is|are|went|has gone)\b|"
      r"\b(?:should|must|have to|need to|belong) (?:be )?(?:with|next to) (?:him|her|them)(?: now| there| again)?\b|"
      r"\b(?:want|wanna|need|ready|going) (?:to )?<<F>>(?:join|follow|be with) (?:him|her|them|my (?:\w+ )?(?:mom|mother|dad|father|son|daughter|"
      r"baby|brother|sister|husband|wife|partner|friend|grandma|grandpa)) (?:soon|now|tonight|there|again soon)\b",
      third=True, requires=r"\b(?:died|dead|death|passed|gone|heaven|funeral|lost|grave|killed|buried|since (?:she|he|they))\b"),
    R("long_sleeves", SH, "elevated",
      r"\b(?:wearing|wear|wore|started wearing|back to wearing) (?:long sleeves|long sleeved \w+|hoodies?|sweaters?|jackets?|a jacket|cardigans?|"
      r"bracelets?|wristbands?) (?:again )?(?:[^\s.!?…]+ ){0,4}?(?:even (?:tho|though|in|when|if)|in (?:the )?(?:summer|heat)|despite|although)\b",
      signal="past", third=True, requires=r"\b(?:hot|heat|summer|degrees|warm|sun|30|35|40|boiling)\b",
      message_not=r"\b(?:allerg\w*|sunburn|sun protection|skin cancer|religio\w*|modest\w*|uniform|dress code|eczema|psoriasis|tattoos?|"
      r"mosquito\w*|aircon|air con|cold office)\b"),
    R("scars", SH, "elevated",
      r"\b(?:scars?|marks|cuts|burns) (?:on|across|all over|up and down) my (?:arms?|wrists?|thighs?|legs?|stomach|hips?|forearms?|body|skin)\b|"
      r"\bmy (?:arms?|wrists?|thighs?|legs?|forearms?) (?:are|is) (?:covered in|full of) (?:scars|cuts|marks)\b",
      signal="past", third=True,
      message_not=r"\b(?:surgery|c section|caesarean|operation|acne|chicken ?pox|car accident|bike accident|dog bite|cat|kitten|"
      r"cooking|oven|tattoo|stretch marks|eczema|mosquito|sunburn)\b"),
    R("head_banging", SH, "crisis",
      r"\b(?:hit|hitting|bang|banging|bash|bashing|slam|slamming|punch|punching|smash|smashing) (?:my )?(?:own )?head (?:against|on|into) "
      r"(?:the |a )?(?:wall|walls|floor|door|desk|table|mirror)\b",
      neg=True, third=True, past=True,
      after=r"^ (?:with|over|trying|on this|about|because of (?:this|the) (?:bug|problem|code|task)|for (?:hours|days) (?:on|with|over))"),
    R("pet_rehoming", (A, PLAN), "crisis",
      r"\b(?:gave|giving|give|given|handed|handing|left|leaving|rehom\w*|found (?:a )?(?:new )?homes? for|finding (?:a )?(?:new )?homes? for) "
      r"(?:away )?my (?:\w+ )?(?:cat|cats|dog|dogs|pet|pets|hamster|rabbit|bird|parrot|fish|snake|turtle|kitten|puppy)\b",
      signal="goodbye", third=True,
      message_not=r"\b(?:allerg\w*|landlord|moving|move|relocat\w*|new job|newborn|baby|too big|cannot afford|can not afford|travel\w*|deploy\w*|"
      r"sitter|vacation|holiday|for the (?:week|weekend|day|month)|for a (?:week|weekend|few days|month)|while i|hospital stay|surgery|"
      r"trip|shelter volunteer|foster\w*|vet|walk|groom\w*|daycare)\b"),
    R("goodbye_punct", (A, PLAN), "crisis",
      r"\b(?:goodbye|bye|farewell)\b(?: (?:everyone|all|world|guys|friends))? ?[.,!…]+ ?(?:forever|for good|for the last time)\b|"
      r"\b(?:said|say|saying|have said) (?:my )?goodbyes? to (?:everyone|everybody|all|the people i love|my family|my friends|those i love|"
      r"everyone i love|everyone who matters)\b",
      signal="goodbye", third=True, message_not=r"<<MOVE>>|<<CHATCLOSE>>|\b(?:party|farewell party|leaving do|graduation)\b"),
    R("survivor_guilt", P, "elevated",
      r"\b(?:it|that) should have been me\b|\bi should have died (?:instead|there|with (?:him|her|them)|too|in)\b|"
      r"\bwhy (?:did i|am i the one who) (?:survive|survived|make it|made it)\b",
      signal="passive", third=True),
    # ---- danger: coercive control, hiding, revenge plans --------------------------------------------------
    R("controller_took_things", DANGER, "elevated",
      r"\b(?:he|she|they|my (?:\w+ )?(?:husband|wife|boyfriend|girlfriend|partner|ex|dad|father|stepdad|mom|mother)) (?:[^\s.!?…]+ )?"
      r"(?:took|takes|has taken|keeps|kept|smashed|broke|grabbed|hid|hides|stole) my (?:keys|phone|passport|documents|papers|id|money|cards?|"
      r"car keys|bank card|wallet|shoes|clothes)\b",
      signal="danger", message_not=r"\b(?:by mistake|accidentally|joke|prank|for a week|as a punishment for (?:grades|school)|detention|grounded)\b"),
    R("cannot_go_home", DANGER, "elevated",
      r"\b(?:cannot|can not|could not|afraid to|scared to|too scared to|terrified to|not safe to|do not want to|will not) (?:go|going|return|returning) "
      r"(?:back )?(?:home|there|back there|back)(?: tonight| anymore| again)?\b",
      signal="danger", requires=r"\b(?:he|she|him|her|husband|boyfriend|partner|dad|father|stepdad|mom|mother|ex|shelter|hit|hits|hurt|"
      r"hiding|took|smashed|beat|beats|drunk|threat\w*)\b",
      message_not=r"\b(?:party|fun|late night|dark|curfew|grounded|bad grades|report card)\b"),
    R("hiding_shelter", DANGER, "elevated",
      r"\b(?:i am|we are|i have been|we have been) (?:hiding|staying hidden) (?:in|at|from|under|inside)\b|"
      r"\b(?:find|need|looking for|help me find|where is) (?:a |the nearest |the )?(?:women s |womens |domestic violence |dv |emergency )?"
      r"(?:shelter|safe house|refuge)\b|\b(?:he|she|they) said (?:i am|we are|you are) next\b",
      signal="danger", message_not=r"\b(?:animal|dog|cat|pet|homeless shelter volunteer|donat\w*|volunteer\w*|hide and seek|surprise party|game|prank|storm|tornado|"
      r"air raid|bomb shelter|shelling|sirens?|hurricane)\b"),
    R("household_violence", DANGER, "crisis",
      r"\b(?:<<PERSON>>) (?:is |was |keeps |started |has been )?(?:[^\s.!?…]+ ){0,3}?(?:hitting|beating|hits|beats|choking|strangling|attacking|"
      r"punching|kicking|slapping|hurting|threatening) (?:my (?:mom|mum|mother|sister|brother|little \w+|kids|children|baby|dad|father|grandma)|"
      r"us|the kids|the children|the baby)\b(?=.{0,120}\b(?:again|now|right now|tonight|hiding|scared|help|next|drunk|every)\b)",
      third=False, message_not=r"<<GAME>>|\b(?:at chess|at cards|in the game|pillow|snowball|tickle)\b"),
    R("revenge_plan", OTHERS, "crisis",
      r"\bi (?:know|found out|have|learned|got) (?:exactly )?(?:where (?:he|she|they) (?:lives?|works|sleeps|parks|goes)|(?:his|her|their) "
      r"(?:schedule|address|routine|daily routine|shift times)|when (?:he|she|they) (?:is|are) (?:alone|home alone|by (?:himself|herself|themselves)))\b",
      requires=r"\b(?:pay|regret|sorry|revenge|get (?:him|her|them) back|what (?:he|she|they) did|deserves?|lesson|hurt|kill|gun|knife|make (?:him|her|them))\b",
      third=False, message_not=r"<<GAME>>|\b(?:surprise|party|gift|birthday|visit|date)\b"),
    R("harm_others_ing", OTHERS, "crisis",
      r"\b(?:fantasi[sz]ing about|fantasi[sz]e about|dreaming about|dream about|thinking about|think about|obsessing over|planning on|imagining) "
      r"(?:really )?(?:killing|murdering|hurting|stabbing|shooting|strangling|choking|poisoning|beating up|beating|attacking|torturing|burning) "
      r"(?:<<VICTIMS>>|the (?:kids?|people|guys?|girls?|boys?|m[ae]n|wom[ae]n|person|students?|ones?|teacher|bully|bullies|bastard|creep) who \w+|my \w+)\b|"
      r"\b(?:want|need) (?:them|him|her|those \w+|these \w+) to (?:pay|suffer|die|bleed)\b",
      neg=True, third=True, humor="cancel", message_not=r"<<TRIVIAL>>|<<GAME>>"),
    R("firearm_access_rumination", (PLAN, A), "crisis",
      r"\b(?:gun|pistol|rifle|shotgun|firearm|hunting rifle|revolver)\b(?:[^.!?…]|[.!?…] ){0,80}?\b(?:i know (?:where|the code|the combination|the key)|"
      r"keep thinking about (?:it|using it)|think about (?:it|using it|that) (?:every day|every night|all the time|constantly|a lot))\b|"
      r"\bi (?:found|know|found out|saw) where (?:my \w+|he|she|they) (?:keeps|hides|stores|locks up|kept|hid) (?:his|her|their|the) "
      r"(?:gun|pistol|rifle|shotgun|firearm|revolver|pills|sleeping pills|meds)\b(?=.{0,80}\b(?:think|thinking|every day|keep|want|use)\b)",
      third=False, message_not=r"<<GAME>>|\b(?:hunting trip|range|safety course|license)\b"),
    # ---- burden --------------------------------------------------------------------------------------------------
    R("burden", P, "elevated",
      r"\b(?:i am|i feel like|i feel|feel like|i have become|i have always been|i am just|i am only|i am nothing but|i am such|i am basically|"
      r"i am literally|i am a|am) <<F>>(?:a |an |such a |the |nothing but a |just a )?(?:huge |big |massive |constant |total |complete |"
      r"useless |worthless |pathetic |heavy )?(?:burden|waste of (?:space|oxygen|air|life|a person|skin)|drain on (?:everyone|my family|them|people)|"
      r"problem for everyone|burden to (?:everyone|everybody|my family|them|the people))\b",
      signal="burden", neg=True, third=True),
    R("better_off_without_me", P, "elevated",
      r"\b(?:better|happier|easier|fine|okay|ok|relieved|lighter|freer|be better) (?:off )?without me\b(?! (?:for (?:a|the|one|two|few)|this (?:week|weekend)|"
      r"while|at the|on the|in the (?:team|band|group|project|meeting)))|"
      r"\b(?:better|easier|happier|simpler|lighter|relieved|glad|fine|okay|ok|alright)(?: (?:life|lives|time))? (?:for (?:everyone|everybody|them|my family|all|my \w+|the world|people) )?if i (?:just )?(?:was|were|had|did)?"
      r" ?(?:gone|not here|not around|never born|disappeared|not alive|not exist|never existed|did not exist|vanished|did not wake up|never woke up|"
      r"was not here|were not here|was not around|were not around|left forever|was gone|were gone|just disappeared|was not around anymore|"
      r"were not around anymore)\b|"
      r"\b(?:the world|everyone|everybody|my family|they|people) (?:would|will|could) (?:be|do) (?:so much |much |a lot |way )?(?:better|happier|fine)"
      r" (?:off )?(?:without me|if i (?:was|were) gone)\b",
      signal="burden", third=False),
    R("noone_would_miss", P, "elevated",
      r"\b(?:no one|nobody|noone|no body|none of them|not a single person|not one person) (?:would|will|is going to|would even|will even|"
      r"would really|would actually|even|ever|would ever) <<F>>(?:miss|notice|care|cry|mourn|come to my funeral|remember me)"
      r"(?: me)?(?: at all)?(?: (?:if|when|once|after) i\b| me\b|(?=[ .!?…]*$))",
      signal="burden"),
    R("noone_would_care_if_i_died", P, "crisis",
      r"\b(?:no one|nobody|noone|would anyone|would anybody|would people|who would|does anyone) (?:would |will |even |really |actually )*"
      r"(?:miss|notice|care|cry|mourn)(?: me)?(?: at all)? (?:if|when|once|after) i (?:just )?(?:died|was dead|were dead|die|killed myself|"
      r"ended it|ended my life|took my life|committed suicide|did not wake up|never woke up)\b",
      signal="burden"),
    # ---- goodbyes and final arrangements (implicit, high risk) ---------------------------------------------------
    R("final_goodbye", (A, PLAN), "crisis",
      r"\bthis is (?:my )?(?:final |last )?goodbye\b|\b(?:my )?(?:final|last) goodbye(?:s)?(?! to (?!you|everyone|all|the world|everybody))\b|"
      r"\bgoodbye (?:everyone|everybody|world|cruel world|forever|for good|my friends|friends|you all|yall|all of you)\b|"
      r"\bfarewell (?:everyone|everybody|world|forever|all|my friends|cruel world)\b|"
      r"\b(?:i )?(?:just )?(?:wanted|want|needed) to say (?:goodbye|bye|farewell) (?:to (?:you|everyone|all of you|you all|everybody))?(?:[ .!…]*$| before i (?:go|die|do it|leave (?:this world|for good))| forever| for good| for the last time)",
      signal="goodbye", message_not=r"<<MOVE>>|<<CHATCLOSE>>|\b(?:grandma|grandpa|grandmother|grandfather|funeral|grave|hospice|passed away|died|her|him|dog|cat|pet)\b"),
    R("last_message", (A, PLAN), "crisis",
      r"\b(?:this|it) is (?:my|the) (?:last|final) (?:message|text|post|note|letter|words|thing i will (?:say|write|ever say)|"
      r"time (?:i will|you will) (?:hear from me|talk to (?:you|me)|see me)|night (?:alive|on earth|here)|day (?:alive|on earth))\b|"
      r"\bthese are my (?:last|final) words\b|\bmy (?:last|final) (?:night|day|hours?|sunset|breakfast|meal) (?:alive|on earth|in this world|on this planet)\b|"
      r"\b(?:tonight|today) is (?:my|the) last (?:night|day)(?: alive| on earth| here| of my life)?\b",
      signal="goodbye",
      after=r"^ (?:(?:on|in|at|of|for|to) (?:this|the|my|our) )?(?:group|chat|thread|app|account|platform|channel|server|job|office|school|"
      r"work|company|team|vacation|holiday|trip)|^ (?:before|until|till) (?:i|my|the|we) (?:leave|go|move|vacation|holiday|trip|break|bed|sleep|exam|flight|travel)|"
      r"^ (?:at|of|in|with) ",
      message_not=r"<<MOVE>>"),
    R("by_the_time_you_read", (A, PLAN), "crisis",
      r"\b(?:by the time|when|once|after) (?:you|anyone|someone|they|people|my \w+|somebody) (?:read|reads|see|sees|find|finds|get|gets|open|opens|"
      r"hear|hears) (?:this|it|these|my message)(?: ,)? i (?:will|would|shall|may|might) (?:already )?(?:be gone|be dead|not be (?:here|alive|around)|"
      r"have (?:left this world|gone|died|ended it|killed myself|done it|taken my life)|be in a better place|be at peace|be no more|be free)\b",
      signal="goodbye"),
    R("wont_be_here", (A, PLAN), "crisis",
      r"\bi (?:will not|am not going to|might not|may not|probably will not|do not think i will|doubt i will|do not expect to) be (?:here|around|alive|with you|in this world|on this earth) <<F>>"
      r"(?:tomorrow|much longer|for much longer|for long|anymore|next (?:week|month|year|time)|by (?:morning|tomorrow|the weekend|then)|"
      r"after (?:tonight|today)|to see (?:it|that|them|you|tomorrow|the morning)|when you wake up|for (?:my|your|the) birthday|in the morning)\b|"
      r"\bi will be (?:gone|dead) (?:soon|tomorrow|by (?:morning|tomorrow|then|the weekend)|before (?:morning|sunrise|you know it)|tonight)\b",
      signal="goodbye", third=True,
      message_not=r"<<MOVE>>|\b(?:sick|flu|fever|covid|cold|busy|offline|out of town|away)\b"),
    R("never_hear_again", (A, PLAN), "crisis",
      r"\byou (?:will|are going to) (?:never|not) (?:hear from|see|talk to) me (?:again|anymore|ever again|after (?:tonight|today|tomorrow|this|"
      r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|\w+day))\b|"
      r"\bthe last (?:time )?you will (?:ever )?hear from me\b|\bno one will (?:ever )?(?:hear from|see) me again\b",
      signal="goodbye", message_not=r"<<MOVE>>"),
    R("tell_them_i_love_them", (A, PLAN), "crisis",
      r"\b(?:please |pls )?(?:tell|let|make sure) my (?:mom|mother|dad|father|family|parents|sister|brother|kids|children|son|daughter|wife|husband|"
      r"partner|girlfriend|boyfriend|friends|best friend|grandma|grandmother|grandpa|everyone) (?:know )?(?:that )?i (?:love|loved|am sorry|was sorry|"
      r"never meant|did not mean|tried)\b",
      signal="goodbye"),
    R("sorry_goodbye", (A, PLAN), "crisis",
      r"\b(?:i am )?sorry for everything\b.{0,60}\b(?:goodbye|bye|farewell|i love you all|love you all|forgive me|take care of)\b|"
      r"\b(?:goodbye|farewell)\b.{0,60}\bsorry for everything\b|\bforgive me (?:for what i am about to do|for this|for leaving|everyone)\b|"
      r"\bsee you (?:on the other side|in (?:another|the next) life|in heaven|never)\b(?! of)",
      signal="goodbye", message_not=r"<<MOVE>>|<<CHATCLOSE>>|<<GAME>>|\b(?:exam|exams|finals|semester|party|weekend)\b"),
    R("thanks_goodbye", (A, PLAN), "elevated",
      r"\bthank you for everything\b.{0,40}\b(?:goodbye|farewell)\b",
      signal="goodbye", message_not=r"<<MOVE>>|<<CHATCLOSE>>"),
    R("suicide_note", (A, PLAN), "crisis",
      r"\b(?:my|a|the) (?:suicide|goodbye|farewell) (?:note|letter|letters|video|message)\b|"
      r"\b(?:wrote|written|writing|write|left|leaving|finished|finishing|prepared|drafting|drafted|recorded|recording) (?:a |my |the |some )?"
      r"(?:suicide|goodbye|farewell|last) (?:note|notes|letter|letters|message|messages|video)\b|"
      r"\b(?:wrote|written|writing) (?:letters|notes) to (?:everyone|my family|all my friends|each of them|my kids|my parents)\b",
      signal="goodbye", third=True, topic=True,
      after=r"^ (?:to (?:my )?(?:ex|old|younger|past|inner|anxiety|depression|fear|eating disorder|ed|addiction|\w+ self|childhood|"
      r"house|home|school|job|city|team|country|body)|for (?:therapy|class|school|an? (?:assignment|exercise)))",
      message_not=r"\b(?:therapist|therapy|exercise|assignment|class|course|moving|retir\w*|graduat\w*|colleagues|coworkers|team)\b"),
    R("when_im_gone", (A, PLAN), "elevated",
      r"\b(?:when|after|once|if) i am (?:gone|dead|no longer here|not here anymore|not around anymore|no more|not alive)\b",
      signal="goodbye", message_not=r"<<MOVE>>|\b(?:old|older|retire\w*|grandkids|grandchildren|estate|lawyer|insurance|pension)\b"),
    R("giving_away", (A, PLAN), "crisis",
      r"\b(?:giving|gave|give|given|handing|handed|giving out|handed out) away (?:all |most |many |some |a lot |lots |the rest |everything )?"
      r"(?:of )?(?:(?:my|most of my|the rest of my) (?:stuff|things|belongings|possessions|favou?rite \w+|prized \w+|precious \w+|"
      r"treasured \w+|valuables|savings|money)|all (?:of )?my \w+|everything(?: i (?:own|have))?)\b|"
      r"\b(?:giving|gave|give|given|handing|handed) (?:all |most |some |a lot of |lots of )?(?:of )?my (?:[^\s.!?…]+ ){0,1}?(?:stuff|things|belongings|"
      r"possessions|favou?rite \w+|prized \w+|precious \w+|treasured \w+|valuables|savings|money) away\b|"
      r"\b(?:giving|gave|give) (?:all )?(?:my|all my|all of my) (?:stuff|things|belongings|possessions|favou?rite \w+|prized \w+) to (?:people|friends|everyone|my \w+)\b",
      signal="goodbye", third=True, message_not=r"<<DECLUTTER>>"),
    R("several_giveaways", (A, PLAN), "none",
      r"\b(?:gave|giving|given|give|handed|handing|left|leaving) (?:away )?my (?:[^\s.!?…]+ ){1,2}?to (?:[^\s.!?…]+ ){1,3}?(?:and|,) (?:also )?"
      r"(?:gave |gave away |left )?my (?:[^\s.!?…]+ ){1,2}?to\b",
      signal="goodbye", third=True, message_not=r"<<DECLUTTER>>|<<MOVE>>|\b(?:for the (?:week|weekend|day)|while i|borrow|lend|lent|birthday|christmas|"
      r"gift|present)\b"),
    R("give_to_someone", (A, PLAN), "none",
      r"\b(?:giving|gave|give|given|handing|handed|giving out|left|leaving) (?:away )?(?:all |most |some )?(?:of )?my (?:[^\s.!?…]+ ){1,3}?"
      r"(?:to|with) (?:friends|people|everyone|my \w+|neighbou?rs?|\w+)\b",
      signal="goodbye", third=True, message_not=r"<<DECLUTTER>>|<<MOVE>>|\b(?:borrow|lend|lent|birthday|christmas|gift|present|for the (?:week|weekend))\b"),
    R("not_needed_anymore", (A, PLAN), "none",
      r"\b(?:they|he|she|you|someone|people) (?:will|would|can) (?:enjoy|use|love|need|appreciate) (?:them|it|these|those) more than i (?:ever )?"
      r"(?:did|do|could|will|would)\b|\b(?:do not|will not|no longer) need (?:them|it|these|those|any of (?:it|this|them)) (?:anymore|any more|now)\b",
      signal="goodbye", message_not=r"<<DECLUTTER>>|<<MOVE>>"),
    R("thanks_for_everything", (A, PLAN), "none",
      r"\bthanks? (?:you )?(?:so much )?for (?:everything|all (?:these|those) (?:months|years|weeks)|listening all|always being there|being there for me)\b",
      signal="goodbye", message_not=r"<<MOVE>>|<<CHATCLOSE>>|\b(?:birthday|wishes|gift|party|help with|advice on)\b"),
    R("decided_alone", PLAN, "none",
      r"\bi (?:have )?(?:finally )?(?:decided|made (?:up )?my (?:mind|decision))(?= ?(?:[.!…]|$))|\bmy mind is made up\b",
      signal="method", third=True),
    R("near_the_tracks", PLAN, "elevated",
      r"\b(?:walk|walking|walked|go|going|went|stand|standing|stood|sit|sitting|sat) (?:over |down |out )?(?:to|by|near|on|onto|at) the "
      r"(?:train |railway |rail )?(?:tracks|rails|railway line|platform edge|edge of the (?:roof|bridge|platform|cliff))\b",
      signal="method", third=True, requires=r"\b(?:at night|alone|lately|keep|kept|again|every (?:night|day)|for hours|by myself)\b",
      message_not=r"\b(?:train ?spotting|photo\w*|commute|waiting for (?:the|my) train|station)\b"),
    R("wont_survive_night", P, "elevated",
      r"\bi (?:will not|am not going to|do not think i will|might not|may not) (?:make it|survive|last) (?:through )?(?:the night|tonight|till morning|"
      r"until (?:the )?morning|the weekend|another (?:day|night|week))\b",
      signal="passive", third=True, message_not=r"\b(?:coffee|caffeine|exam|shift|meeting|lecture|party|hangover|heat|deadline|finals|boring)\b"),
    R("better_care_than_me", (A, PLAN), "none",
      r"\b(?:they|he|she|you|someone|somebody) (?:will|would|can|could) (?:take (?:better|good) care of|look after) (?:them|it|him|her) "
      r"(?:better )?than i (?:could|can|ever could|would)\b",
      signal="goodbye"),
    R("rope_location", (PLAN, A), "crisis",
      r"\b(?:rope|noose|belt|cord) (?:is |is already |are )?(?:in|at|on) (?:the|my) (?:garage|shed|closet|wardrobe|room|basement|attic|car|bag|"
      r"backpack|drawer|loft|barn)\b",
      requires=r"\b(?:note|goodbye|neck|hang|ready|beam|before anyone|it all|end it)\b", third=True,
      message_not=r"\b(?:camping|climb\w*|boat|sailing|tent|swing|laundry|hammock|tow\w*|trip|moving|gym|crossfit|skipping)\b"),
    R("wont_need_it", (A, PLAN), "crisis",
      r"(?:\bi |^|(?<=[.!?…] ))(?:will not|am not going to|do not|no longer|will no longer) <<F>>(?:need|be needing|use|be using) (?:it|them|this|these|those|that|"
      r"any of (?:it|this|them|my \w+)|my \w+|(?:these|those|this|that) \w+|anything|any of my \w+) (?:anymore|any longer|again|soon|where i am going|after (?:tonight|today|this|tomorrow)|"
      r"much longer|for much longer)\b|\bwhere i am going i (?:will not|do not) need\b",
      signal="goodbye", third=True,
      message_not=r"<<DECLUTTER>>|<<MOVE>>|\b(?:phone|laptop|account|subscription|membership|car|license|uniform|textbooks?|notes|"
      r"coat|jacket|winter|summer|boots|skis|bike|crib|stroller|maternity|baby clothes)\b"),
    R("pet_care_after", (A, PLAN), "crisis",
      r"\b(?:take|takes|taking|look after|looks after|looking after|care for|cares for|caring for|feed|feeds|feeding|adopt|adopts|keep|keeps|raise) (?:care of )?my (?:[^\s.!?…]+ )?(?:cat|cats|dog|dogs|pet|pets|"
      r"kids|children|plants|fish|hamster|rabbit|bird|parrot|son|daughter|baby|mom|mother|turtle|snake) (?:for me )?(?:when|after|once|if) i am "
      r"(?:gone|dead|not here|not around|no longer here|no more|not alive)\b|"
      r"\bwho will (?:take care of|look after|feed|care for) my \w+ (?:when|after|once|if) i am (?:gone|dead|not here|not around)\b",
      signal="goodbye", message_not=r"\b(?:vacation|trip|travel\w*|holiday|hospital stay|surgery|business trip|abroad|away for)\b"),
    R("will_affairs", (A, PLAN), "elevated",
      r"\b(?:made|written|wrote|writing|write|updated|finished|drafted|making|signed) (?:my|a) (?:will|last will)\b|"
      r"\b(?:put|putting|getting|got|have|set|setting) (?:all )?my (?:affairs|things|papers|finances) in order\b",
      signal="goodbye",
      message_not=r"\b(?:kids|children|baby|born|married|wedding|house|mortgage|lawyer|attorney|estate|retire\w*|pension|insurance|"
      r"surgery|deployment|deploy\w*|grandkids|tax\w*|accountant|new job|moving|move)\b"),
    # ---- plan, intent, means, method seeking --------------------------------------------------------------------
    R("stockpiling", (PLAN, A), "crisis",
      r"\b(?:saving|saved|stockpiling|stockpiled|hoarding|hoarded|collecting|collected|storing up|stored up|hiding|hid|hidden|stashing|"
      r"stashed|buying up|bought up|gathering|gathered|squirreling away|counting) (?:up )?(?:all )?(?:of )?(?:my |some |the |these |a lot of |lots of |"
      r"enough |extra |more )?(?:<<DRUG>>)\b",
      third=True, past=True,
      after=r"^ (?:in (?:the|a|my) (?:fridge|cabinet|cupboard|drawer|pill box|pillbox|bathroom)|(?:for|in case of) (?:the )?(?:trip|travel|vacation|"
      r"winter|emergenc\w*|war|blackout|shortage|evacuation)|from (?:the )?(?:pharmacy|chemist|drugstore|doctor|clinic|hospital)|at (?:the )?"
      r"(?:pharmacy|chemist|drugstore))",
      message_not=r"\b(?:from the kids|from my kids|from the children|from my toddler|childproof|out of reach|pharmacy pickup|"
      r"prescription refill|evacuation|emergency kit|first aid|war|blackouts?)\b"),
    R("noose_rope", (PLAN, A), "crisis",
      r"\b(?:tied|made|bought|have|got|hung|prepared|tying|making|hanging|put up|set up|tested|testing) (?:a |the |my )?noose\b|"
      r"\b(?:rope|noose|belt|cord|cable|wire|scarf|tie) (?:[^\s.!?…]+ ){0,3}(?:around|round) my neck\b|"
      r"\b(?:rope|noose|belt|cord) (?:is|was) (?:ready|tied|set|up|hanging)\b|"
      r"\b(?:hang|hanging|hanged) <<SELF>>\b",
      neg=True, third=True, past=True, humor="lower"),
    R("rope_bought", (PLAN, A), "crisis",
      r"\b(?:bought|got|have|found|ordered|prepared|hid|hidden) (?:a |the |some |strong )?(?:rope|ropes|cord|belt)\b",
      requires=r"\b(?:neck|hang|hanging|beam|ceiling|tonight|for myself|end it|end my|die|dying|goodbye|last|noose|it all|do it|tree|garage|"
      r"the note|a note|my note|tomorrow|before anyone|morning)\b",
      third=True, message_not=r"\b(?:climbing|camping|boat|sailing|gym|swing|tent|hammock|dog|laundry|crossfit|skipping|jump rope|tug of war)\b"),
    R("gun_means", (PLAN, A), "crisis",
      r"\b(?:bought|got|have|found|loaded|loading|cleaned|holding|hold|took out|grabbed|picked up|carrying|load|cocked|got out) "
      r"(?:a |the |my |dads |my dads |his |some |a loaded )?(?:gun|pistol|rifle|shotgun|revolver|firearm|bullets?|handgun)\b",
      requires=r"\b(?:myself|die|dying|tonight|my head|my mouth|my temple|to my head|end it|it all|do it|goodbye|last time|pull the trigger|"
      r"no one will|never wake|not wake|end my|suicid\w*|dead)\b",
      third=True, message_not=r"\b(?:hunting|range|deer|duck|class|license|permit|collection|airsoft|paintball|nerf|water gun|the game)\b"),
    R("blade_means", (PLAN, SH), "crisis",
      r"\b(?:holding|hold|have|got|bought|grabbed|picked up|took|sharpened|staring at|looking at|got out) (?:a |the |my |some |new |fresh )?"
      r"(?:knife|blade|blades|razor|razors|razor blades?|box cutter|scissors|glass shard|shard of glass|sharpener blade)\b",
      requires=r"\b(?:myself|my (?:wrists?|arms?|skin|throat|thighs?|legs?|veins?)|cut|cutting|die|dying|end it|it all|do it|tonight|bleed|"
      r"hurt me|use it on me|suicid\w*)\b",
      accident=True, third=True),
    R("have_a_plan", (PLAN, A), "crisis",
      r"\bi (?:have|made|got|came up with|worked out|figured out|decided on|chose|picked|have got|set|know) (?:a |the |my |out )?"
      r"(?:plan|method|date|time|place|spot|day|way)\b|\bi know (?:exactly )?how i (?:would|will|am going to|could) do it\b|"
      r"\bi (?:have )?(?:decided|made up my mind|made my decision)(?: that)? (?:it is|this is) (?:time|the end|over)\b",
      requires=r"\b(?:die|dying|end it|end my life|kill myself|killing myself|suicid\w*|it all|not wake up|jump|overdose|hang|goodbye|"
      r"last|never wake|end everything|gone|dead|rope|pills)\b",
      neg=True, third=True, message_not=r"<<GAME>>"),
    R("tonight_is_the_night", (PLAN, A), "crisis",
      r"\b(?:tonight|today|tomorrow|this weekend|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)) (?:is|will be) "
      r"(?:the (?:night|day) (?:i (?:die|end it|end everything|do it|go|leave|kill myself|finally go|finally do it|finally end it)|it ends)|"
      r"my last (?:night|day)(?: alive| on earth| here)?)\b|\bi (?:will|am going to) do it (?:tonight|today|tomorrow|this weekend)\b",
      requires=r"\b(?:die|end|kill|last|it all|goodbye|gone|suicid\w*|myself|pills|jump|hang)\b",
      message_not=r"<<WORKDAY>>"),
    R("method_seeking", (PLAN, A), "crisis",
      r"\b(?:how (?:to|do i|can i|would i|could i|should i|do you|does one|does someone|do people|would someone)) (?:[^\s.!?…]+ ){0,3}?"
      r"(?:kill (?:<<SELF>>|yourself|oneself|themselves)|commit suicide|end (?:my|your|one'?s|their|a) life|die (?:painlessly|quickly|fast|"
      r"without pain|in (?:my|your) sleep|peacefully|without anyone knowing)|overdose|od|hang (?:<<SELF>>|yourself|oneself)|slit (?:my|your|one'?s) "
      r"(?:wrists?|throat)|not wake up|never wake up)\b|"
      r"\b(?:most |least )?(?:painless|quick|quickest|fast|fastest|easy|easiest|best|surest|sure|effective|reliable|peaceful|clean|simple|certain|"
      r"efficient|gentle|gentlest|quiet|quietest|least painful|fool ?proof) (?:and \w+ )?(?:way|ways|method|methods|means|option|options) (?:to|of) "
      r"(?:die|dying|kill (?:<<SELF>>|yourself|oneself)|killing (?:<<SELF>>|yourself|oneself)|end it|ending it|end my life|ending my life|"
      r"commit suicide|suicide|not wake up|overdose|end one'?s life|check out|end things)\b",
      third=False, topic=True, message_not=r"<<GAME>>|\b(?:minecraft|game|character|npc)\b"),
    R("dose_to_die", (PLAN, A), "crisis",
      r"\bhow (?:many|much) (?:of )?(?:(?:my|these|the|those|your) )?(?:[^\s.!?…]+ )?(?:<<DRUG>>|of (?:them|it|these|those)) (?:[^\s.!?…]+ ){0,6}?(?:kill (?:me|<<SELF>>)|"
      r"die|be (?:lethal|fatal|deadly) for me|not wake up|never wake up|end it|end my life|end me|stop my heart)\b|"
      r"\bhow (?:many|much) (?:would|will|does it take|do i need|would it take|should i take) (?:[^\s.!?…]+ ){0,3}?(?:to )?(?:kill me|die|not wake up|end it)\b|"
      r"\b(?:want|wanna|going|gonna|planning|plan|thinking about|thinking of|ready|about|decided|tempted|urge|going to|i will|i am going to) "
      r"(?:to )?<<F>>(?:overdose|overdosing|od|(?:take|taking|swallow|swallowing) (?:all|every one|all of|every single one of) (?:of )?(?:my|the|these|those) "
      r"(?:[^\s.!?…]+ )?(?:pills|tablets|meds|<<DRUG>>)|(?:take|taking|swallow|swallowing|down|downing) (?:a|the whole|an entire|the entire) "
      r"(?:bottle|pack|box|packet|strip) of|(?:swallow|swallowing) (?:all|every|the whole) )\b",
      neg=True, third=True, humor="lower"),
    R("lethal_dose_question", PLAN, "elevated",
      r"\b(?:lethal|fatal|deadly|killing) (?:dose|dosage|amount|quantity|level|limit)s?\b|"
      r"\bhow (?:many|much) (?:[^\s.!?…]+ )?(?:<<DRUG>>) (?:[^\s.!?…]+ ){0,5}?(?:kill|lethal|fatal|deadly)\b|"
      r"\b(?:can|could|would|will|does|do|is|are) (?:a |an |too much |too many |\d+ |the |taking )?(?:[^\s.!?…]+ )?(?:<<DRUG>>) (?:[^\s.!?…]+ ){0,3}?"
      r"(?:kill (?:you|me|a person|someone|people|a human)|be (?:lethal|fatal|deadly)|lethal|fatal|deadly)\b",
      signal="method", third=True, topic=True,
      message_not=r"<<PET>>|\b(?:exam|nursing|pharmacology|pharmacy school|med school|toxicology|lecture|textbook|class|student|vet|"
      r"kid (?:swallowed|ate|got into)|child (?:swallowed|ate|got into)|toddler|poison control|by accident|accidentally)\b"),
    R("jump_intent", (PLAN, A), "crisis",
      r"\b(?:want|wanna|going|gonna|about|ready|planning|plan|thinking about|thinking of|think about|considering|tempted|decided|urge|urges|"
      r"will|i will|could just|might|should just|need|going to|i am going to|standing on|on the edge of) (?:to )?<<F>>"
      r"(?:jump|jumping|leap|leaping|throw myself|throwing myself|step|stepping|fall|falling|walk|walking) (?:off|from|out of|in front of|under|onto the tracks|off of|into) (?:a |the |this |that |my |our |some )?"
      r"(?:[^\s.!?…]+ )?(?:bridge|roof|rooftop|building|balcony|window|cliff|tower|ledge|overpass|train|bus|truck|lorry|car|traffic|subway|metro|"
      r"tracks|parking garage|\d+\w* floor|top floor|skyscraper)\b",
      neg=True, third=True, past=True, humor="lower"),
    R("on_the_ledge", (PLAN, A), "crisis",
      r"\bi am (?:standing |sitting )?(?:on|at) (?:the |a |this )?(?:edge of (?:the |a )?)?(?:bridge|roof|rooftop|ledge|balcony railing|railing|"
      r"edge|cliff|tracks|platform edge)\b(?=.{0,60}\b(?:now|right now|tonight|jump|end|goodbye|die|fall|scared|ready|looking down)\b)",
      third=True, message_not=r"\b(?:view|sunset|photo|picture|hike|hiking|tourist|selfie|beautiful|pretty|vacation)\b"),
    R("on_the_railing", (PLAN, A), "crisis",
      r"\bi am (?:standing |sitting |perched |climbing |leaning )?(?:on|over|at|onto) (?:the |a |this )?(?:edge of (?:the |a |this )?)?"
      r"(?:[^\s.!?…]+ )?(?:railing|ledge|parapet|window ?sill|windowsill|balcony rail)\b",
      third=True, message_not=r"\b(?:view|sunset|photo|picture|hike|hiking|tourist|selfie|beautiful|pretty|vacation|cat|bird|plant|painting|fixing)\b"),
    R("height_to_die", PLAN, "crisis",
      r"\bhow (?:high|tall|far|many (?:floors|stories|storeys|meters|metres|feet)) (?:[^\s.!?…]+ ){0,6}?(?:to (?:die|kill (?:you|me|<<SELF>>|someone|a person)|"
      r"not survive|be fatal|be lethal|guarantee death|make sure)|(?:would|will|do|does|must|should) (?:[^\s.!?…]+ ){0,3}?(?:kill|be fatal|be lethal|not survive)|"
      r"is fatal|is lethal|(?:high|tall) enough)\b|\b(?:high|tall) enough to (?:die|kill|not survive|be fatal|end it)\b|"
      r"\b(?:which|what) floor (?:[^\s.!?…]+ ){0,4}?(?:die|fatal|lethal|kill|enough to)\b",
      topic=True, message_not=r"<<GAME>>|\b(?:cat|cats|dog|egg|phone|drone|skydiv\w*|parachute|bungee|physics|homework|class|project|movie|film)\b"),
    R("height_question", PLAN, "none",
      r"\b(?:tallest|highest) (?:[^\s.!?…]+ ){0,2}?(?:bridges?|buildings?|towers?|roofs?|rooftops?|cliffs?|structures?|parking (?:garages?|structures?)|"
      r"skyscrapers?|places? to jump|places?|points?)\b|"
      r"\b(?:bridges?|buildings?|towers?|roofs?|rooftops?|cliffs?|parking garages?) (?:[^\s.!?…]+ ){0,4}?(?:taller|higher) than\b|"
      r"\bhow (?:tall|high) (?:is|are) (?:the |that |this )?(?:[^\s.!?…]+ ){0,3}?(?:bridges?|buildings?|towers?|roof|cliffs?|balcony|dam)\b|"
      r"\b(?:bridges?|buildings?|rooftops?|roofs?) (?:[^\s.!?…]+ ){0,3}?(?:with (?:no|without) (?:fence|railing|barrier|guard rail|net)s?|i can (?:get onto|access|climb))\b|"
      r"\bsurvive (?:a |the )?(?:fall|jump) (?:from|off)\b|"
      r"\bhow (?:high|tall) (?:[^\s.!?…]+ ){0,3}?(?:bridge|building|roof|balcony|floor|cliff|tower|window)s? (?:[^\s.!?…]+ ){0,3}?(?:has|have|needs?|must|should|would have) to be\b|\b(?:access|get onto|get to) (?:the )?roof (?:of|at)\b",
      signal="method"),
    # ---- recent loss: context only (no level of its own) ------------------------------------------------------
    R("recent_loss", P, "none",
      r"\b(?:lost|losing|lose) (?:my |our )?(?:job|work|wife|husband|partner|mom|mother|dad|father|son|daughter|child|kid|baby|brother|sister|"
      r"best friend|friend|home|house|apartment|everything|business|girlfriend|boyfriend|fiance|fiancee|grandma|grandmother|grandpa|"
      r"grandfather|family|custody|kids|children|pregnancy|twins?|savings|company|scholarship|visa|license|career)\b|"
      r"\b(?:got|was|been|just got|have been|were|just been|am being|getting) (?:[^\s.!?…]+ )?(?:fired|laid off|let go|dumped|evicted|kicked out|expelled|"
      r"rejected|divorced|sacked|cut off|disowned)\b|"
      r"\b(?:she|he|they|my (?:wife|husband|partner|girlfriend|boyfriend|fiance|fiancee)) (?:just )?(?:left|dumped|broke up with|cheated on|divorced|"
      r"abandoned) me\b|\bmy (?:[^\s.!?…]+ ){0,2}?(?:died|passed away|passed|was killed|killed (?:himself|herself|themselves)|committed suicide|is dead)\b|"
      r"\b(?:divorce|funeral|breakup|break up|broke up|bankrupt|bankruptcy|foreclos\w*|miscarriage|stillborn|repossessed)\b|"
      r"\bfailed (?:all )?(?:my |the )?(?:exams?|classes|courses|bar|boards|business|year|finals)\b|\beverything (?:fell|is falling) apart\b",
      signal="loss"),
    # ---- self-harm ------------------------------------------------------------------------------------------------
    R("self_harm_act", SH, "crisis",
      r"\b(?:cut|cutting|cuts|burn|burning|burned|burnt|scratch|scratching|scratched|hit|hitting|punch|punching|punched|harm|harming|"
      r"harmed|hurt|hurting|hurts|starve|starving|starved|bite|biting|carve|carving|carved|slash|slashing|slashed|stab|stabbing|stabbed|"
      r"bruise|bruising|bruised|mutilate|mutilating|mutilated|injure|injuring|injured|beat|beating|choke|choking|strangle|strangling|"
      r"bang|banging|bash|bashing) <<F>>(?:<<SELF>>)\b",
      neg=True, third=True, past=True, accident=True, humor="lower",
      after=r"^ (?:up (?:about|over|for)|up$|up ?[.,!]|about|over (?:it|this|that|the)|for (?:not|being|saying|forgetting)|out of|"
      r"(?:into|with) (?:work|studying|exercise|training|the gym|a workout)|emotionally|to sleep|with (?:work|questions|guilt|regrets?)|"
      r"in the (?:foot|leg) (?:with|by))"),
    R("self_harm_body", SH, "crisis",
      r"\b(?:cut|cutting|burn|burning|burned|burnt|scratch|scratching|scratched|carve|carving|carved|slash|slashing|slashed|slit|slitting|"
      r"bite|biting|pick|picking|rip|ripping) (?:<<F>>)?(?:my|into my|up my|open my) (?:own )?(?:arms?|wrists?|thighs?|legs?|skin|stomach|hips?|body|"
      r"forearms?|veins?|flesh|belly|chest)\b",
      neg=True, third=True, past=True, accident=True, humor="lower"),
    R("self_harm_urge", SH, "crisis",
      r"\b(?:urges?|craving|cravings|tempted|temptation|need|itch|itching|want|wanna|going|ready) to (?:cut|self harm|sh|hurt myself|burn myself|"
      r"harm myself|bleed|feel the blade|cut again|relapse)\b(?! (?:my hair|my bangs|class|school|ties|back|down|costs|it out|the cord|sugar|carbs|"
      r"corners|in line|the cake|the grass|the wood|the paper|the onions|the bread|off|out|him|her|them|loose|through|my nails|meat|alcohol|coffee))",
      neg=True, third=True, humor="lower"),
    R("self_harm_ongoing", SH, "crisis",
      r"\brelaps(?:e|ed|ing) (?:on |with |into |back into )?(?:self harm|self harming|sh|cutting|self injury|burning)\b|"
      r"\b(?:i|i have|i am|i have been|been|still|started|start|keep|kept|began) <<F>>(?:self harm(?:ing|ed)?|self injur(?:e|ing|ed|y)|"
      r"cutting (?:again|myself|my)|cutting$|cutting[.,!]|sh again)\b|\bi (?:cut|burned|burnt) again\b|\b(?:fresh|new|deep|bleeding|open) "
      r"(?:cuts|wounds|burns) (?:on|in|across) my\b|\bmy (?:self harm|sh|cutting) (?:is|has|got|keeps|again)\b",
      neg=True, third=True, past=True, topic=True,
      after=r"^ (?:back|down|out|costs|corners|ties|class|school|hair|onions|vegetables|wood|paper|grass|the |carbs|sugar|coupons)"),
    R("self_harm_history", SH, "elevated",
      r"\b(?:used to|would often|started to|began to) (?:self harm|sh|cut|burn myself|hurt myself|harm myself|cut myself)\b(?! (?:hair|class|school|"
      r"grass|wood|paper|coupons|fabric|meat|vegetables|bread|ties|back|down|people|corners))|"
      r"\b(?:have not|had not|did not|has not|not) (?:[^\s.!?…]+ ){0,1}?(?:self harmed|cut|cut myself|hurt myself|harmed myself|burned myself|"
      r"self harm|relapsed) (?:in|for|since)\b|\b(?:clean|free) (?:from|of) (?:self harm|sh|cutting) (?:for|since)\b|"
      r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|a few|several|many) (?:days?|weeks?|months?|years?) (?:clean|free) (?:from|of) "
      r"(?:self harm|sh|cutting)\b|\b(?:history of|past) (?:self harm|cutting|suicide attempts?)\b|\bmy (?:self harm|cutting) scars\b",
      signal="past", third=True, topic=True),
    # ---- medical emergency --------------------------------------------------------------------------------------
    R("overdose_taken", (MED, A), "crisis",
      r"\b(?:took|taken|swallowed|downed|ate|popped|drank|chugged|injected|shot up|took all|swallowed all) (?:[^\s.!?…]+ ){0,2}?(?:like )?(?:a (?:whole |full |entire )?(?:bottle|pack|packet|box|handful|bunch|strip|jar|"
      r"tub|blister|sheet|load)|(?:the |a )?whole (?:bottle|pack|packet|box|strip|jar)|an? (?:entire|full) (?:bottle|pack|packet|box|strip)|"
      r"all (?:of )?(?:my|the|his|her|moms|mums|dads|these|those)|too (?:many|much)|way too (?:many|much)|so many|loads of|lots of|a lot of|"
      r"tons of|heaps of|double|triple|(?:\d{2,}|twenty|thirty|forty|fifty|sixty|hundred|dozens?|a dozen|fifteen|eleven|twelve|thirteen|"
      r"fourteen|sixteen|seventeen|eighteen|nineteen|several|ten)) (?:[^\s.!?…]+ ){0,3}?(?:of )?(?:my |the |his |her |these |those )?(?:[^\s.!?…]+ )?"
      r"(?:<<DRUG>>)\b",
      third=False, past=True,
      after=r"^ (?:as (?:prescribed|usual|directed|instructed|told)|like (?:the|my) (?:doctor|psychiatrist|gp|nurse|pharmacist)|"
      r"for (?:the day|today|this week|my (?:headache|cold|flu|back|migraine|period))|on time|with (?:food|breakfast|dinner|lunch|water) (?:as|like))",
      message_not=r"\b(?:as prescribed|my doctor (?:said|told|prescribed)|vitamins?|gummies|supplements?|probiotics?|fish oil|multivitamin)\b"),
    R("overdosed", MED, "crisis",
      r"\b(?:i|i have|i just|just|i think i|think i|i might have|i may have|i) <<F>>(?:overdosed|oded|od d|odd|have overdosed)\b|"
      r"\b(?:took|taken|had|done) an? (?:overdose|od)\b|\bi am (?:overdosing|oding|od ing)\b|\bthe (?:pills|meds|tablets|poison) (?:are|is) "
      r"(?:starting to |beginning to )?(?:kick(?:ing)? in|work(?:ing)?|taking effect)\b",
      third=True, past=True, topic=True,
      message_not=r"\b(?:died of|died from|passed away|funeral|years ago|last year)\b"),
    R("poison_taken", MED, "crisis",
      r"\b(?:drank|drunk|swallowed|drinking|ate|injected|drank some) (?:some |a (?:cup|glass|bottle|capful) of |the |a lot of )?"
      r"(?:bleach|antifreeze|rat poison|poison|drain cleaner|pesticide|weed killer|cyanide|detergent|vinegar essence|acid|lye|paint thinner|"
      r"gasoline|petrol|battery acid|laundry pods?|tide pods?|lighter fluid|methanol|insecticide)\b",
      past=True, topic=True, message_not=r"\b(?:challenge|meme|tiktok)\b"),
    R("bleeding", MED, "crisis",
      r"\b(?:cannot|can not|will not|does not|do not|not) (?:get (?:it|the bleeding) to |make (?:it|the bleeding) )?stop (?:the )?(?:bleeding|bleed)\b|"
      r"\b(?:bleeding|blood) (?:will not|does not|is not|won t|wont|doesnt) stop\b|\b(?:cut|cuts|wound|wounds) (?:is|are|was|were) "
      r"(?:too |very |really )?(?:deep|gaping|gushing)\b|\blost (?:a lot of|so much|too much) blood\b|\bbleeding (?:out|everywhere|a lot|heavily|badly)\b",
      message_not=r"\b(?:period|nose|nosebleed|gums|tooth|menstrua\w*|game|movie|show|character)\b"),
    R("someone_unresponsive", MED, "crisis",
      r"\b(?:he|she|they|my (?:[^\s.!?…]+ ){1,2}|someone|somebody|a (?:man|woman|person|guy|girl|kid|child|friend)) (?:is|are|was|just) "
      r"(?:not breathing|unconscious|unresponsive|not responding|not waking up|turning blue|blue|foaming at the mouth|having a seizure|"
      r"collapsed|passed out and (?:will not|is not|cannot))\b(?! (?:properly|well|through))",
      message_not=r"\b(?:died|passed away|funeral|last (?:week|month|year)|ago|dream|movie|show|book|game|episode|drunk again|napping|asleep on the couch|"
      r"asthma|at the doctor|at the hospital|paramedics are here|in the er|inhaler)\b"),
    # ---- harm to others -------------------------------------------------------------------------------------------
    R("harm_others_intent", OTHERS, "crisis",
      r"\b(?:want|wanna|going|gonna|about|planning|plan|ready|decided|will|thinking about|thinking of|fantasi[sz]ing about|urge|urges|"
      r"tempted|need|feel like|intend|determined|i am going|i will|i could really) (?:to )?<<F>>(?:kill|murder|hurt|stab|shoot|strangle|choke|poison|beat up|"
      r"beat|attack|harm|slaughter|smother|drown|run over|burn|hit|punch|rape|bash|strangle|suffocate|cut|maim|torture) (?:<<VICTIMS>>)\b",
      neg=True, third=True, humor="cancel",
      after=r"^ (?:up\b|back up|with (?:a |the )?(?:text|message|call|dm|question|joke|facts|truth|news|bill|invoice)|in (?:the )?(?:game|match|"
      r"round|argument|debate|chess|cards)|at (?:chess|cards|tennis|the game|pool|darts|mario ?kart|fifa)|with (?:kindness|love|compliments|facts))",
      message_not=r"<<TRIVIAL>>|<<GAME>>"),
    R("harm_baby_fear", OTHERS, "crisis",
      r"\b(?:scared|afraid|worried|terrified|frightened|fear|fearing|thoughts|thinking|intrusive thoughts|urges?|feel like) (?:[^\s.!?…]+ ){0,3}?(?:that )?"
      r"i (?:will|might|could|would|may|am going to) <<F>>(?:hurt|harm|kill|shake|smother|drown|suffocate|hit|stab|throw|attack|strangle) "
      r"(?:my|the|our) (?:baby|babies|newborn|kids?|children|child|son|daughter|toddler|infant|twins|family|wife|husband|partner)\b",
      third=True),
    R("mass_violence", OTHERS, "crisis",
      r"\bshoot up (?:the|my|a|our) (?:school|office|work|class|campus|mall|church|mosque|synagogue|party|place|store)\b|"
      r"\b(?:bring|bringing|take|taking|brought|took) (?:a |my |dads |my dads |the )?(?:gun|guns|rifle|knife|weapon|bomb|explosives) (?:to|into) "
      r"(?:school|work|class|the office|campus|church|the party|the mall)\b|"
      r"\b(?:make|making) (?:them|everyone|all of them|those people|everybody) (?:all )?pay\b(?=.{0,60}\b(?:gun|knife|blood|die|kill|bomb|shoot)\b)",
      neg=True, third=True, message_not=r"<<GAME>>"),
    # ---- in danger from someone --------------------------------------------------------------------------------
    R("abuse_now", DANGER, "crisis",
      r"\b(?:<<PERSON>>) (?:[^\s.!?…]+ ){0,2}?(?:hits|hit|hitting|beats|beat|beating|punches|punched|punching|kicks|kicked|kicking|slaps|slapped|slapping|"
      r"chokes|choked|choking|strangles|strangled|strangling|rapes|raped|raping|molests|molested|molesting|assaults|assaulted|assaulting|attacks|"
      r"attacked|abuses|abused|abusing|burns|burned|burnt|stabbed|stabs|shot at|threatens|threatened|threatening|stalks|stalked|stalking|"
      r"tortures|tortured|drugged|trafficked|locks|locked|ties|tied|traps|trapped|grabs|grabbed|drags|dragged|whips|whipped|bites|bit|hurts|"
      r"hurting|smacks|smacked|shoves|shoved|throws things at|threw things at|pushed|pushes|pinned|pins|pinning|held down|holds down) "
      r"(?:(?:[^\s.!?…]+ ){1,3}?(?:and|&) )?(?:me|us)\b",
      third=False, past=True, humor="cancel",
      after=r"^ (?:up\b|back\b|with (?:a |the )?(?:snowball|pillow|ball|question|joke|text|message|call|news|fact|truth|dm|request|bill|invoice|"
      r"compliment|guilt|silent treatment|reality)|in (?:the )?(?:game|match|chess|argument)|on (?:twitter|instagram|facebook|social media|reddit|"
      r"tiktok|online|the internet)|online|verbally|in the comments|so much|a lot|deeply|emotionally|with (?:his|her|their) words|"
      r"when (?:he|she|they) (?:ignores|lies|says|leaves|talks|does not|forgets|cancels)|to (?:do|be|try|go|study|work|finish|keep)|"
      r"out of (?:my|the) comfort|into (?:my|the) (?:arms|hug)|by the hand|for a hug|in a hug|to the ground playing)",
      message_not=r"<<GAME>>|\b(?:tickle|tickled|pillow fight|sparring|boxing class|martial arts|wrestling|play fight|tag)\b"),
    R("victim_passive", DANGER, "crisis",
      r"\b(?:i (?:was|got|have been|am being|am|get|keep getting)|being|been) (?:[^\s.!?…]+ )?(?:raped|sexually assaulted|assaulted|molested|beaten|"
      r"beaten up|abused|stabbed|trafficked|kidnapped|strangled|choked|threatened|stalked|drugged|held hostage|held captive|groomed|"
      r"sexually abused|physically abused)\b",
      past=True, third=True, topic=True,
      after=r"^ (?:by (?:a |the )?(?:car|bus|truck|bike|ball|wave|door|branch|virus|flu|cold|covid|storm|hurricane|recession|layoffs?|news|"
      r"mosquito|bee|wasp|questions|emails|work)|with (?:a |the )?(?:bill|fine|ticket|question|fee|charge|virus|flu|cold|questions|emails|work))",
      message_not=r"<<GAME>>"),
    R("threatened_to_kill", DANGER, "crisis",
      r"\b(?:threatened|threatens|threatening|threaten|said|says|swore|swears|promised|promises|told me|tells me|keeps saying|texted|wrote|"
      r"screamed|screams|yelled|yells) (?:[^\s.!?…]+ ){0,2}?(?:that )?(?:he|she|they|he is|she is|they are)? ?(?:will|would|is going to|was going to|"
      r"are going to|gonna|to|would|might|could)? ?<<F>>(?:kill|murder|hurt|beat|stab|shoot|strangle|rape|burn|bury|destroy|end|finish|cut|"
      r"take away|take) (?:me|us|my (?:kids?|children|baby|family|mom|dog|cat|life)|the (?:kids|children|baby)|our (?:kids|children|baby))\b",
      third=False, past=True, humor="cancel", message_not=r"<<TRIVIAL_IF>>|<<GAME>>"),
    R("next_threat", DANGER, "elevated",
      r"\b(?:he|she|they) (?:said|says|told me|keeps saying|texted|yelled|screamed) (?:that )?(?:i am|we are|you are|i will be|we will be) next\b|"
      r"\b(?:i am|we are) next\b(?=.{0,60}\b(?:he|she|hit|hitting|beat|beating|kill|hurt)\b)",
      signal="danger", message_not=r"<<GAME>>|\b(?:in line|queue|turn|interview|exam|presentation)\b"),
    R("afraid_of_person", DANGER, "crisis",
      r"\b(?:scared|afraid|terrified|frightened|fear|worried|petrified|panicking|panicked) (?:[^\s.!?…]+ ){0,2}?(?:that )?(?:<<PERSON>>|he is|she is|"
      r"they are) (?:[^\s.!?…]+ )?(?:will|might|could|would|is going to|are going to|gonna|may|is about to|is coming to|are coming to|is trying to) "
      r"<<F>>(?:kill|murder|hurt|beat|stab|shoot|strangle|rape|find|attack|hit|kidnap|take|choke|come back|come for|break in|break down|"
      r"show up|get in|find out where i|track) ?(?:me|us|my (?:kids?|children|baby|family)|the (?:kids|children|baby)|the door|here|again)?\b|"
      r"\b(?:scared|afraid|terrified|frightened|petrified) (?:of|to go home to|to be alone with|to go back to|to be home with) (?:my (?:[^\s.!?…]+ )?"
      r"(?:husband|wife|boyfriend|girlfriend|partner|dad|father|stepdad|stepfather|mom|mother|stepmom|brother|ex|uncle|son|fiance)|him|her)\b"
      r"(?! (?:finding out|seeing|knowing|reading|hearing|judging|being disappointed|being mad|being angry|getting mad|getting angry|reaction|"
      r"opinion|disappointment))",
      third=False, humor="cancel",
      message_not=r"<<TRIVIAL>>|<<GAME>>|\b(?:spider|spiders|dog|ghost|horror|movie|clown|dentist|doctor|interview|exam|test|presentation)\b"),
    R("unsafe_at_home", DANGER, "crisis",
      r"\b(?:i am|i do not feel|i feel|we are|i am not|feel|feeling) (?:[^\s.!?…]+ )?(?:not safe|unsafe|in danger) (?:at home|here|with (?:him|her|them|my \w+)|"
      r"in my (?:own )?(?:home|house|room|apartment|flat)|right now|tonight|anymore|around (?:him|her|them))\b|"
      r"\bi (?:do not|no longer) feel safe (?:at home|with (?:him|her|them|my \w+)|in my (?:own )?(?:home|house|apartment|flat|room)|here|around (?:him|her|them))\b|"
      r"\b(?:i am|we are|my life is|my kids are|my children are) (?:[^\s.!?…]+ )?in danger\b(?! of)|\bhe (?:will|is going to) kill me\b(?=.{0,40}\b(?:scared|help|afraid|terrified|please)\b)",
      third=False, message_not=r"<<GAME>>"),
    R("intruder", DANGER, "crisis",
      r"\b(?:someone|somebody|a man|a guy|a stranger|strangers|people|he|she|they|my ex|a car|a van|men) (?:is|are|has been|have been|keeps|keep|was) "
      r"(?:[^\s.!?…]+ )?(?:following me|stalking me|watching (?:me|my house|my apartment)|outside my (?:door|house|window|room|apartment|flat)|"
      r"trying to (?:break in|get in|open my door|break down the door|get into (?:my|the|our) \w+|break into (?:my|the|our) \w+)|breaking in|breaking into (?:my|the|our) "
      r"(?:house|home|apartment|flat|room)|banging on (?:my|the) door|in my (?:house|apartment|room|flat))\b(?! (?:on|online|around the house|on instagram|on twitter|on tiktok))",
      third=False, message_not=r"<<GAME>>|\b(?:delivery|package|pizza|plumber|electrician|friend over|party|surprise)\b"),
    R("being_followed", DANGER, "crisis",
      r"\bthere (?:is|are) (?:a |some |this )?(?:man|guy|men|car|van|someone|somebody|stranger|person|people|group of \w+) (?:[^\s.!?…]+ ){0,2}?"
      r"(?:following|watching|stalking|chasing) (?:me|us)\b|\b(?:being|getting) (?:followed|chased|stalked)\b",
      third=False, message_not=r"<<GAME>>|\b(?:on (?:instagram|twitter|tiktok|social)|followers|online)\b"),
    R("weapon_threat", DANGER, "crisis",
      r"\b(?:he|she|they|my \w+|someone|a man|a guy) (?:[^\s.!?…]+ )?(?:has|have|is holding|is pointing|pointed|pulled|pulls|got|grabbed|is waving|waved) "
      r"(?:a |the |his |her |my )?(?:gun|knife|weapon|pistol|rifle|axe|machete|bat|crowbar)\b",
      requires=r"\b(?:me|us|at me|threaten\w*|kill|hurt|scared|afraid|help|door|drunk|angry|yelling|screaming|terrified)\b",
      message_not=r"<<GAME>>|\b(?:hunting|kitchen|cooking|chef|carving the turkey|camping)\b"),
    R("held_captive", DANGER, "crisis",
      r"\b(?:locked|trapped|held|keeping|kept|keeps) me (?:in|inside|prisoner|captive|hostage|against my will|in the (?:room|basement|house|closet))\b|"
      r"\bi am (?:locked|trapped|held) (?:in|inside) (?:[^\s.!?…]+ ){0,2}?(?:and|by) (?:he|she|they|my \w+)\b|"
      r"\b(?:i am|i have) (?:locked|barricaded|trapped) (?:myself )?(?:in|inside) (?:my|the|a) (?:room|bathroom|bedroom|closet|car|toilet)\b"
      r"(?=.{0,100}\b(?:he|she|they|him|her|yelling|screaming|banging|scared|afraid|terrified|help|drunk)\b)|"
      r"\b(?:he|she|they|my \w+) (?:took|takes|has taken|keeps|kept) my (?:passport|documents|papers|id)\b",
      message_not=r"<<GAME>>|\bescape room\b"),
    R("coercive_control", DANGER, "elevated",
      r"\b(?:he|she|they|my (?:husband|wife|boyfriend|girlfriend|partner)) (?:[^\s.!?…]+ )?(?:will not|does not|refuses to|never) let me (?:leave|see (?:my|anyone|friends)|"
      r"call|talk to anyone|have (?:my|a) (?:phone|money)|out of (?:the|his|her) sight|go anywhere)\b",
      signal="explicit"),
    # worry about someone else's suicide or self-harm: elevated, with guidance for the helper (replies.yaml)
    R("concern_for_other", CONCERN, "elevated",
      r"\b(?:<<PERSON>>|my (?:[^\s.!?…]+ )?(?:friend|best friend|bestie|bff|mate|buddy|student|patient|client|kid|teen|child|colleague|coworker))"
      r"(?: <<F>>)? (?:keeps? |kept |has been |is |was )?(?:saying|says|said|talks? about|talking about|texted|texting|posted|posting|wrote|"
      r"told me|threaten\w*(?: to| with)?|wants? to|is going to|going to|is planning to|plans to|tried to|attempted to|talks of)"
      r"(?: that)?(?: (?:he|she|they) )?(?: (?:wants? to|will|is going to|might|would))? ?(?:kill (?:himself|herself|themselves|themself)|"
      r"end (?:his|her|their) (?:life|lives|own life)|commit suicide|suicide|take (?:his|her|their) (?:own )?life|"
      r"hurt (?:himself|herself|themselves)|cut(?:ting)? (?:himself|herself|themselves)|not (?:want to )?be (?:here|alive) anymore)\b|"
      r"\b(?:worried|scared|afraid|terrified|concerned|freaking out)(?: that| about)? (?:my (?:[^\s.!?…]+ )?\w+|he|she|they|him|her|them) "
      r"(?:[^\s.!?…]+ ){0,4}?(?:suicid\w*|kill (?:himself|herself|themselves)|self harm\w*|hurt (?:himself|herself|themselves)|cutting)\b|"
      r"\b(?:he|she|they|my \w+) (?:is|are|seems?|sounds?|has been|became) (?:really |very |so )?suicidal\b",
      message_not=r"\b(?:novel|book|film|movie|series|episode|character|story|play|video game|song|lyrics|news|article|documentary|podcast)\b"),
]

RULES = compile_rules("en", SPECS, MACROS)
