package normalize

import (
	"math/bits"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/RadhiFadlillah/whatlanggo"

	"github.com/crier/crier/article"
)

// words splits s into lowercase word tokens; apostrophes split elisions
// ("l'armée" gives "l", "armée").
func words(s string) []string { return lowerWords(lower(s)) }

// lowerWords is words of a string already in lowercase; the words are
// slices of it.
func lowerWords(low string) []string {
	out := make([]string, 0, len(low)/6+1)
	start := -1
	for i := 0; i < len(low); {
		c, size, inWord := low[i], 1, false
		if c < utf8.RuneSelf {
			inWord = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-'
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(low[i:])
			inWord = unicode.IsLetter(r) || unicode.IsDigit(r)
		}
		if inWord {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			out = appendWord(out, low[start:i])
			start = -1
		}
		i += size
	}
	if start >= 0 {
		out = appendWord(out, low[start:])
	}
	return out
}

// appendWord appends w to ws without its leading and trailing hyphens,
// unless nothing is left.
func appendWord(ws []string, w string) []string {
	if w[0] == '-' || w[len(w)-1] == '-' {
		w = strings.Trim(w, "-")
	}
	if w == "" {
		return ws
	}
	return append(ws, w)
}

// guardLangs are languages close to a stopLangs one, listed with their
// commonest function words so that their text does not pass for one of
// the stopLangs: Catalan and Galician are told apart here (whatlanggo
// knows neither), the others are left to whatlanggo and the marks. Their
// bits follow the stopLangs' in langSet.
var guardLangs = [...]struct{ tag, words string }{
	{"ca", `el la els les de del dels a al als en i amb per que qui un una uns unes és són
		va van ha han no però més com seu seva seus seves aquest aquesta aquests aquestes
		també li hi ho ja pel pels sobre entre fins molt perquè on quan o ni pot ser tot tota
		tots totes té dret seua seues estos estes esta l d s n res cap ens mateix mateixa`},
	{"gl", `o a os as de do da dos das no na nos nas en e que un unha uns unhas non con
		coa co cos polo pola polos polas para por se máis pero como xa tamén foi é ser
		está ao á ás cando sobre entre este esta iso isto dunha nunha súa seu sen nin ou
		lle lles moi ata onde son ten teñen súas seus`},
	{"sv", `och att det som en på är av för med till den har de inte om ett var jag hon
		han sig men från vid så kan eller efter när också sina hade skulle`},
	{"da", `og at det som en på er af for med til den har de ikke om et var jeg hun han
		sig men fra ved så kan eller efter når også sin havde skulle`},
	{"no", `og at det som en på er av for med til den har de ikke om et var jeg hun han
		seg men fra ved så kan eller etter når også sin hadde skal`},
	{"pl", `i w z na się nie do to że o jest jak a od po za ale co przez jego dla czy już
		tak są był była tym także może oraz który która które jako ze we`},
	{"tr", `ve bir bu da de için ile çok daha olarak gibi en ama ne o olan kadar sonra
		değil her şey var yok ise mi olduğu ki`},
	{"ro", `și în de la a cu pe care din că se nu o un este mai pentru sau dar fost au
		acest această lui ca sunt fi`},
	// Finnish, Estonian and Hungarian: "ja", "on", "a", "van" are Catalan
	// words too.
	{"fi", `ja on ei se että oli hän mutta kun myös tai joka jo vain nyt sen ovat mukaan
		mikä jotka sekä ole olla ollut voi kuin niin`},
	{"et", `ja on ei et see oli ka ning kui mis aga või veel seda ta nad kes siis mida ole
		oma juba`},
	{"hu", `a az és hogy egy nem is meg már még volt van csak mint pedig szerint után között
		ezért de ha el ki be`},
	// Romansh would pass for Italian, Afrikaans and Luxembourgish for Dutch
	// or German.
	{"rm", `il la ils las in ina da dal dals dallas e ed u cun sco per che ch betg na tut
		tuts mintga èn è ha han vegn vegnan sia ses lur sin tar`},
	{"af", `die en van is in het nie wat te dat op vir met sy hy was om ook hulle word as
		aan tot of ons deur sal kan moet by nog maar al so gesê moes baie hul`},
	{"lb", `an de der den d vun a ze fir mat datt net sinn ass huet hunn gëtt ginn si hien
		hir och awer wéi well eng en engem ee ënner iwwer bei dem vum op um`},
}

// detectWord is what detectIndex knows of a word.
type detectWord struct {
	vote uint16 // its vote class + 1, 0 if no list has it
	mark uint8  // its mark class + 1, 0 if it marks nothing
}

// detectIndex maps a lowercase word to its vote and mark: one lookup a
// word. A vote class is the set of stopLangs and guardLangs whose lists
// have a word: scan counts words by class, and the vote is tallied once
// a class.
var detectIndex, voteClasses = func() (map[string]detectWord, []langSet) {
	sets := make(map[string]langSet, len(stopIndex)+300)
	for w, set := range stopIndex {
		sets[w] = set
	}
	for i, g := range guardLangs {
		for _, w := range strings.Fields(g.words) {
			sets[w] |= 1 << (len(stopLangs) + i)
		}
	}
	m := make(map[string]detectWord, len(sets)+len(marks.words))
	var classes []langSet
	ids := map[langSet]uint16{}
	for w, set := range sets {
		if _, ok := ids[set]; !ok {
			classes = append(classes, set)
			ids[set] = uint16(len(classes))
		}
		m[w] = detectWord{vote: ids[set]}
	}
	if len(classes) > maxVoteClasses {
		panic("normalize: more than maxVoteClasses vote classes")
	}
	for w, c := range marks.words {
		d := m[w]
		d.mark = c
		m[w] = d
	}
	return m, classes
}()

// detectFilter holds detectIndex's words for langVote.scan.
var detectFilter = newWordFilter(detectIndex)

// maxVoteClasses bounds the vote classes: langVote counts them in an
// array.
const maxVoteClasses = 1024

const (
	// detectMaxBytes of text decide: a couple of thousand characters
	// decide as well as the whole text.
	detectMaxBytes = 2500
	// whatlangMaxBytes go to whatlanggo, whose time grows with the text:
	// it only picks the family, which the marks of the whole text decide.
	whatlangMaxBytes = 1000
	// detectLangs is the number of languages scored on stopwords.
	detectLangs = len(stopLangs) + len(guardLangs)
	// shareUnit is a word's weight, split evenly among the languages
	// whose list has it (2520 divides by 1 to 10).
	shareUnit = 2520
)

// Thresholds of the stopword vote. The leader wins outright when its
// stopwords are at least minVoteHits words and minVoteShare of all words
// (prose runs at 35-55%, a headline at 25-40%), and when, against every
// other language, the words only the leader's list has are at least
// minVoteMargin and voteRatio times the words only the other's list has.
// Shared words ("de", "la", "en") thus count for nothing between the
// languages that share them.
const (
	minVoteHits   = 3
	minVoteShare  = 0.2
	minVoteMargin = 2
	voteRatio     = 2.0
)

// Thresholds of the marks, the same rule as the vote's among the
// languages of a family: a language is told when, against each other
// member, the marks only it has are at least markMargin and markRatio
// times those only the other has. The language whatlanggo guessed needs
// one mark, not markMargin: two signals then agree.
const (
	markMargin = 2
	markRatio  = 3.0
	// minAgreeHits are the stopwords a stopLangs language guessed by
	// whatlanggo needs when the vote was not clear by itself.
	minAgreeHits = 2
	// minCJKLetters are the letters a text without spaces needs.
	minCJKLetters = 5
	// minNotUkLetters are the Cyrillic letters whose lack of і, ї, є
	// and ґ marks a text as not Ukrainian: one in 40 such texts has none
	// of them in 50 letters.
	minNotUkLetters = 50
	// maxDecoyConfidence is whatlanggo's confidence under which its guess
	// of a language without marks or stopwords (Afrikaans on a French
	// headline) gives way to the vote.
	maxDecoyConfidence = 0.5
	// extLatinRatio: a text with one letter in extLatinRatio past U+00FF
	// is in none of the vote's languages.
	extLatinRatio = 60
)

// Scripts, as scan counts their letters.
const (
	scLatin = iota
	scCyrillic
	scGreek
	scArabic
	scHebrew
	scDevanagari
	scBengali
	scTamil
	scThai
	scHan
	scKana
	scHangul
	scOther
	numScripts
)

// scriptOf returns the script of letter r.
func scriptOf(r rune) int {
	switch {
	case r < 0x370:
		return scLatin
	case r < 0x400:
		return scGreek
	case r < 0x530:
		return scCyrillic
	case r < 0x590:
		return scOther // Armenian
	case r < 0x600:
		return scHebrew
	case r < 0x700, r >= 0x750 && r < 0x780:
		return scArabic
	case r >= 0x900 && r < 0x980:
		return scDevanagari
	case r >= 0x980 && r < 0xA00:
		return scBengali
	case r >= 0xB80 && r < 0xC00:
		return scTamil
	case r >= 0xE00 && r < 0xE80:
		return scThai
	case r >= 0x1100 && r < 0x1200:
		return scHangul
	case r >= 0x1E00 && r < 0x1F00:
		return scLatin
	case r >= 0x1F00 && r < 0x2000:
		return scGreek
	case r >= 0x3040 && r < 0x3100, r >= 0x31F0 && r < 0x3200:
		return scKana
	case r >= 0x3130 && r < 0x3190, r >= 0xAC00 && r < 0xD7B0:
		return scHangul
	case r >= 0x3400 && r < 0xA000, r >= 0xF900 && r < 0xFB00, r >= 0x20000 && r < 0x32000:
		return scHan
	case r >= 0xFB50 && r < 0xFE00, r >= 0xFE70 && r < 0xFF00:
		return scArabic
	case r >= 0xFF66 && r < 0xFFA0:
		return scKana
	case unicode.Is(unicode.Latin, r):
		return scLatin
	}
	return scOther
}

// Marks tell apart the languages of a family, which whatlanggo's
// trigrams confuse on news-length text: a mark is a letter or a word
// that one or a few members use and the others do not (Czech ř, Malay
// "bahawa" against Indonesian "bahwa"). markLangs are the languages with
// marks: markOut first, the languages detectLanguage may return; then
// the decoys, neighbours it does not promise, listed so that their text
// is not taken for a markOut language.
var (
	markOut    = strings.Fields(`id ms da no sv cs sk pl hr sr bs sl ru uk bg mk ar fa ur hi mr ne tr fi et lt lv ro hu vi he`)
	markDecoys = strings.Fields(`jv is be kk ps ckb ug sd jawi pnb se az yi as es pt gl ca`)
	markLangs  = append(append([]string(nil), markOut...), markDecoys...)
)

// markFamilies are the groups of markLangs told apart from each other.
// The script picks the family of Cyrillic, Arabic, Devanagari and Hebrew
// text, whatlanggo's guess that of Latin text.
var markFamilies = [...]string{
	"ru uk be bg mk sr kk",
	"ar fa ur ps ckb ug sd jawi pnb",
	"hi mr ne",
	"he yi",
	"id ms jv",
	"da no sv is",
	"cs sk pl hr sr bs sl",
	"tr az",
	"fi et se",
	"lt lv",
	"ro",
	"hu",
	"vi",
}

// scriptFamily maps a script to its family in markFamilies.
var scriptFamily = map[int]int{scCyrillic: 0, scArabic: 1, scDevanagari: 2, scHebrew: 3}

// markWords are the marker words; a line's words mark its languages,
// and a word on several lines marks all of theirs.
var markWords = [...]struct{ tags, words string }{
	// Indonesian, Malay, Javanese.
	{"id", `bahwa karena bisa saat yaitu yakni saja uang kantor pemerintah pemerintahan kemarin
		senin kamis jumat agustus maret juni juli desember persen miliar triliun rupiah rp
		provinsi kabupaten gubernur berbagai setelah terkait sejalan terkendali diperkirakan
		mendukung investasi sinyal aja gak nggak enggak banget`},
	{"ms", `bahawa kerana iaitu peratus wang polis sahaja baharu selepas semasa mahupun manakala
		lepas bilion trilion gabenor pelbagai syarikat isnin khamis jumaat ahad ogos mac julai
		disember antarabangsa dipercayai mesyuarat akhbar kakitangan terbabit dijangka
		mengekalkan terkawal kukuh ringgit rm kerajaan amaran menyokong perbelanjaan
		pelaburan kos`},
	{"jv", `lan ing sing iku ora karo uga kanggo saka dening wis menika punika kang amarga yen
		miturut sajrone menyang nanging banjur wong kudu wiwit sawetara`},
	{"id jv", `biaya`},

	// Danish, Norwegian (Bokmål and Nynorsk), Swedish, Icelandic.
	{"da", `af havde bliver blevet sagde siger nogle nogen mellem uge ugen hvad fik op ud
		vores hende uden dog sidste gennem mod mere jer`},
	{"no", `etter hadde ble blitt sier noen mellom uke uken meg deg seg mye hva nå fikk opp
		uten sånn slik siste gjennom prosent regjeringen regjering ikkje eg ho frå berre kva
		korleis vart dei ein eit fleire meir skule heile sjølv òg`},
	{"sv", `och att inte är för till också enligt vid från när ska sina hade sade säger
		mycket någon några mellan vecka vad fick upp hon jag miljoner miljarder kronor än
		ännu även eftersom genom utan sedan inom samt detta denna dessa vilket första sista
		själv`},
	{"is", `að ekki við hefur þessu það því eftir`},
	{"da no", `også ikke hvordan ifølge deres hvis kun været mens selv første hvor hvilket ved
		til fra når at og for er et jeg hun skal millioner milliarder`},
	{"da sv", `regeringen procent efter sig mig dig nu blev sådan`},
	{"no sv", `av ut mot mer vår blir sa`},

	// Czech, Slovak, Polish, Slovenian, Croatian, Serbian, Bosnian.
	{"cs", `jsou jsem jsme který která které kteří kterou nebo podle také když pro jen může
		mohou ještě ve při proto protože již mezi letos uvedl uvedla řekl let roce`},
	{"sk", `sú som sme bol bola bolo boli ktorý ktorá ktoré ktorí ktorú alebo podľa tiež keď
		len môže môžu ešte vo preto pretože medzi percent percenta percent uviedol povedal
		aj rokov roka iba teda`},
	{"pl", `się w jest że jak przez jego dla czy już są był była było tym także może oraz
		który która które we lat`},
	{"sl", `in ki tudi kot lahko ter še zaradi zelo lani danes bil odstotkov odstotka odstotke
		odstotki evrov ob med če kar saj vendar`},
	{"hr", `tisuća tisuće tisuću tjedan tjedna tjedno tjednu tijekom milijun milijuna sustav
		sustava sustavu kućanstva kućanstava kućanstvo poduzetnik poduzetnika poduzetnici
		poduzetnicima gospodarstvo gospodarstva gospodarski gospodarske gospodarskog ravnatelj
		ravnateljica priopćio priopćila priopćili priopćenje priopćenju izvješće izvješća
		izvješću siječanj siječnja siječnju veljača veljače veljači ožujak ožujka ožujku
		travanj travnja travnju svibanj svibnja svibnju lipanj lipnja lipnju srpanj srpnja
		srpnju kolovoz kolovoza kolovozu rujan rujna rujnu listopad listopada listopadu
		studeni studenoga studenog prosinac prosinca prosincu tko nitko svatko netko nogomet nogometni nogometa
		glazba glazbe zrakoplov zrakoplova vlak vlaka tvrtka tvrtke tvrtki obitelj obitelji
		povijest povijesti znanost znanosti sveučilište sveučilišta kazalište točka točke
		razina razine razini europski europske europskoj europska europskog organizirati
		organizirao uvjeti uvjeta`},
	{"sr", `vreme reč reči mesto mesta mestu deca dece deci predsednik predsednika predsedniku
		predsednica predsednice poslednji poslednje poslednjih poslednja poslednjem gde uvek
		svet sveta svetu svetski svetske svetskog dete lepo vest vesti nedelja nedelje nedelju
		nedelji posle dve cena cene cenu ceni ceo cela celog cele celu reka reke sreda sredu
		mere mera meru letu sedište videti primer primera sednica sednici sednice telo tela
		zahtev zahteva zahteve zahtevi procena procene procenama procenjuje nevreme mesec
		meseca mesecu meseci celom takođe opština opštine opštini opšti opšte opšteg uopšte
		saopštio saopštila saopštili saopšteno saopštenje saopštenju istorija istorije istoriji
		istorijski nauka nauke nauci evra evro odsto podsticaj podsticaja bezbednost
		bezbednosti dešava`},
	{"bs", `saopćio saopćila saopćili saopćeno saopćenje saopćenju saopćenja historija historije
		historiji historijski historijskog`},
	{"hr bs", `također uopće općina općine općini općinu opći opće općeg posto eura obitelj obitelji
		povijest povijesti europski europske europskoj europska europskog`},
	{"sr bs", `evropski evropske evropskoj evropska evropskog hiljada hiljade hiljadu tokom mart
		martu marta jun juna jul jula septembar oktobar novembar decembar januara februara
		plata plate privreda privrede privredi privredni fudbal fudbalski voz voza porodica
		porodice univerzitet sedmica sedmice nivo nivou nivoa organizovati organizuju
		organizovao domaćinstva domaćinstava procenata procenta uslovi uslova šta niko svako
		neko`},
	{"sr bs sl", `ko`},
	{"sr bs sl", `april maj maja avgust avgusta septembra oktobra novembra decembra januar februar`},
	{"sr sl", `leta`},
	{"sr sk", `pre`},
	{"sk pl", `nie`},
	{"sk sl", `so`},
	{"sl pl", `bo`},
	{"cs pl", `byli jako procent`},
	{"cs sk", `než`},
	{"sl cs sk pl", `z`},
	{"sl cs sk", `v`},
	{"sk hr sr bs", `ako sa`},

	// Russian, Ukrainian, Belarusian, Bulgarian, Macedonian, Serbian, Kazakh.
	{"ru", `что это как был была были было его она они также года году более после уже ещё
		еще который которая которые которых которого будет может сказал заявил отметил
		сообщил процентов рублей к чем тем только время сейчас однако год лет`},
	{"uk", `що це та які який яка від його року також буде вже й після щоб має був році
		понад`},
	{"be", `гэта таксама ды яго ад`},
	{"bg", `са че това които който която което във със след бъде този тази тези бяха като
		към през`},
	{"mk", `кои која кој кое дека нивните биде бидат доколку`},
	{"sr", `је су који која које био према након током хиљада хиљаде између`},
	{"ru bg", `из от с`},
	{"ru uk", `для про`},
	{"ru uk bg", `в`},
	{"ru bg mk sr", `и`},
	{"uk be", `як з але і`},
	{"uk be sr", `у`},
	{"uk bg", `ще`},
	{"bg mk", `е беше го ги няма ние вие`},
	{"bg mk sr", `година години има`},
	{"mk sr", `од`},
	{"ru mk", `во со`},
	{"mk sr be", `што`},
	{"sr bg", `било`},

	// Arabic, Persian, Urdu, Pashto, Sorani, Uyghur, Sindhi.
	{"ar", `في من على إلى أن التي الذي عن مع هذا هذه كان قال وقال أو بعد ذلك كما بين حيث لم لن
		قد ثم الى وفي ومن إن كانت وأن وهو وهي هو`},
	{"fa", `است این که را می برای از به با در شد شده کرد کرده خود اند های ها یک آن نیز بود
		باید هم تا اما پس گفت کند دارد شود`},
	{"ur", `کے میں ہے اور سے کو نے کا کی یہ ہیں پر بھی تھا گیا کیا کہا لیے کہ جو`},
	{"ps", `د په او چې دا له کې شوی`},
	{"jawi", `دان يڠ دالم كڤد اتاو ستياڤ`},
	{"pnb", `دا دی دے وچ نوں تے کوں`},

	// Hindi, Marathi, Nepali.
	{"hi", `है हैं में और से ने यह था थे थी गया गई गए किया कहा लिए नहीं इस उन्होंने भी वह होगा
		होने रहे रहा करने अपने लेकिन जाएगा तक जाएगी बताया दिया`},
	{"mr", `आहे आहेत आणि हे त्या केले केली होते मध्ये म्हणून असे करण्यात नाही आली आला पण तर
		त्यांनी सांगितले झाली झाले असून होती होता आता तसेच याबाबत करून केला अशी असलेल्या`},
	{"ne", `छ छन् र मा ले लाई पनि गरेको भएको थियो गर्न भने यो त्यो हुने रहेको गरे गरेका भएका
		गर्ने उनले जना गरेर भयो हुन्छ छैन थिए साथै यस`},
	{"hi ne", `का के को पर साथ`},
	{"hi mr", `या व तो`},

	// Turkish, Azerbaijani.
	{"tr", `ve için ile çok olarak gibi ama kadar değil şey yok ise olduğu yüzde`},
	{"az", `və üçün ilə çox olaraq kimi amma deyil yox isə edib olub`},

	// Finnish, Estonian.
	{"fi", `että se hän mutta kun myös tai joka jo vain nyt sen ovat mukaan mikä jotka sekä
		vuonna prosenttia prosenttiin euroa ollut voi`},
	{"et", `et ning ka see kui mis aga või veel seda ta nad kes siis mida protsenti eurot
		aasta aastal`},

	// Lithuanian, Latvian.
	{"lt", `yra buvo į iš su apie nuo dėl tačiau kuris kuri kurie jis ji jie metais metų
		procentų procentus`},
	{"lv", `un ka par no uz arī tika kas tas gada gadā procentiem eiro`},

	// Romanian, Hungarian: whatlanggo has no close neighbour of theirs, the
	// marks only check its guess.
	{"ro", `pentru fost sunt acest această aceasta după dupa iar`},
	{"hu", `és hogy az egy nem meg már még volt van csak mint pedig szerint után között ezért`},

	// Hebrew, Yiddish.
	{"he", `של את על עם כי לא הוא היא זה גם אשר`},
	{"yi", `און איז די דער פון פֿון מיט אויף ער זי ניט נישט`},
}

// markLetters are the marker letters, lowercase.
var markLetters = [...]struct{ tags, letters string }{
	{"cs", "ěřů"},
	{"sk", "ľĺŕô"},
	{"pl", "łśźżń"},
	{"pl lt", "ąę"},
	{"pl hr sr bs", "ć"},
	{"hr sr bs vi", "đ"},
	{"cs sk sl hr sr bs lt lv et", "šž"},
	{"cs sk sl hr sr bs lt lv", "č"},
	{"sv sk fi et", "ä"},
	{"sv fi et tr az hu is", "ö"},
	{"et tr az hu", "ü"},
	{"et", "õ"},
	{"da no is", "æ"},
	{"da no", "ø"},
	{"da no sv", "å"},
	{"is", "ðþ"},
	{"az", "əqx"},
	{"tr az", "ığ"},
	{"tr az ro", "ş"},
	{"ro", "șțţî"},
	{"ro vi", "ăâ"},
	{"hu", "őű"},
	{"lt", "ėįų"},
	{"lt lv", "ū"},
	{"lv", "āēīģķļņ"},
	{"vi", "ươêô"},

	{"ru be", "ыэё"},
	{"bg", "ъ"},
	{"uk be kk", "і"},
	{"uk", "їєґ"},
	{"be", "ў"},
	{"sr", "ђћ"},
	{"sr mk", "јљњџ"},
	{"mk", "ѓќѕ"},
	{"kk", "әғқңөұүһ"},

	{"ar", "ةىأإ"},
	{"fa ur ps ckb", "پچژگیک"},
	{"ur", "ٹڈڑںےھہۂ"},
	{"ps", "ټډړښږځڅۍ"},
	{"ps ug", "ې"},
	{"ckb", "ڕڵۆێ"},
	{"ckb ug", "ە"},
	{"ug", "ۇۈۋ"},
	{"sd", "ٻڄڃڇڏڌڍڙڦڪڱڻ"},
	{"jawi", "ڤڠڽڬۏ"},
	{"pnb", "ڳݙ"},
	{"se", "ŋŧ"},

	// Spanish, Portuguese, Galician and Catalan, which the vote decides:
	// letters that it should not see in its winner.
	{"pt", "ãõê"},
	{"pt ca", "àç"},
	{"ca", "èòï"},
	{"es gl", "ñ"},

	{"mr", "ळ"},
	{"as", "ৰৱ"},
	{"yi", "װױײ"},
}

// markTables are markWords, markLetters and markFamilies made ready for
// lookups. A class is a set of markLangs (a bit each); words and letters
// map to their class + 1.
type markTables struct {
	classes  []uint64
	words    map[string]uint8
	letters  [0xA00]uint8 // letters below U+0A00: Latin to Bengali
	vi       uint8        // the class of the Vietnamese letters of U+1EA0-U+1EF9
	notUk    uint8        // the class of Cyrillic text long enough to lack і, ї, є, ґ
	families [][]int
	family   map[string]int // markLangs tag → its family
	romance  []int          // Spanish, Portuguese, Galician, Catalan
}

// maxMarkClasses bounds the classes: langVote counts marks in an array.
const maxMarkClasses = 160

var marks = func() *markTables {
	t := &markTables{words: map[string]uint8{}, family: map[string]int{}}
	index := func(tags string) uint64 {
		var set uint64
		for _, tag := range strings.Fields(tags) {
			i := 0
			for i < len(markLangs) && markLangs[i] != tag {
				i++
			}
			if i == len(markLangs) {
				panic("normalize: mark of unknown language " + tag) // a typo in the tables above
			}
			set |= 1 << i
		}
		return set
	}
	ids := map[uint64]uint8{}
	class := func(set uint64) uint8 {
		if c, ok := ids[set]; ok {
			return c
		}
		if len(t.classes) == maxMarkClasses {
			panic("normalize: more than maxMarkClasses mark classes")
		}
		t.classes = append(t.classes, set)
		ids[set] = uint8(len(t.classes))
		return ids[set]
	}
	wordSets := map[string]uint64{}
	for _, l := range markWords {
		set := index(l.tags)
		for _, w := range strings.Fields(l.words) {
			wordSets[w] |= set
		}
	}
	for w, set := range wordSets {
		t.words[w] = class(set)
	}
	letterSets := map[rune]uint64{}
	for _, l := range markLetters {
		set := index(l.tags)
		for _, r := range l.letters {
			letterSets[r] |= set
		}
	}
	for r, set := range letterSets {
		t.letters[r] = class(set)
	}
	t.vi = class(index("vi"))
	t.notUk = class(index("ru bg mk sr"))
	for _, tag := range strings.Fields("es pt gl ca") {
		t.romance = append(t.romance, bits.TrailingZeros64(index(tag)))
	}
	for i, f := range markFamilies {
		var fam []int
		for _, tag := range strings.Fields(f) {
			fam = append(fam, bits.TrailingZeros64(index(tag)))
			t.family[tag] = i // Serbian: the Latin family, listed last
		}
		t.families = append(t.families, fam)
	}
	return t
}()

// letter returns the mark class + 1 of lowercase letter r, 0 if none.
func (t *markTables) letter(r rune) uint8 {
	switch {
	case r < 0xA00:
		return t.letters[r]
	case r >= 0x1EA0 && r <= 0x1EF9:
		return t.vi
	}
	return 0
}

// langVote is the evidence gathered from a text: its scripts, the
// stopword vote, the marks.
type langVote struct {
	words   int             // word tokens
	scripts [numScripts]int // letters by script
	// extLatin counts the Latin letters past U+00FF, œ aside: none of the
	// stopLangs', Catalan's or Galician's.
	extLatin int
	// score is shareUnit a word, split among the languages that have it:
	// it picks the leader.
	score [detectLangs]int
	// hits counts the words in each language's list; only[i][j] those
	// in i's list and not in j's.
	hits [detectLangs]int
	only [detectLangs][detectLangs]int
	// marks counts the marks of each class.
	marks [maxMarkClasses]int32
	// votes counts the words of each vote class, the first nVoted of
	// voted listing the classes seen.
	votes  [maxVoteClasses]int32
	voted  [maxVoteClasses]uint16
	nVoted int
}

// isWordRune reports whether r belongs in a word: letters and, for the
// vowel signs of Indic scripts, combining marks.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || r >= 0x300 && unicode.In(r, unicode.Mn, unicode.Mc)
}

// scan tokenizes text without allocating (a word is looked up through a
// stack buffer), counts letters by script and marker letters, and votes
// each word for the languages whose list has it.
func (v *langVote) scan(text string) {
	var buf [64]byte
	n := 0 // bytes in buf; -1 while the word is too long to be a stopword
	flush := func() {
		if n > 0 {
			v.words++
			var d detectWord
			ok := false
			if detectFilter.mayHaveBytes(buf[:n]) { // most words are surely not in the lists
				d, ok = detectIndex[string(buf[:n])]
			}
			if ok {
				if c := d.vote; c != 0 {
					if v.votes[c-1] == 0 {
						v.voted[v.nVoted] = c - 1
						v.nVoted++
					}
					v.votes[c-1]++
				}
				if d.mark != 0 {
					v.marks[d.mark-1]++
				}
			}
		} else if n < 0 {
			v.words++
		}
		n = 0
	}
	for _, r := range text {
		if r < 0x80 { // ASCII, most of most texts
			switch {
			case 'A' <= r && r <= 'Z':
				r += 'a' - 'A'
			case r < 'a' || r > 'z':
				flush()
				continue
			}
			v.scripts[scLatin]++
			if n < 0 {
				continue
			}
			if c := marks.letters[r]; c != 0 {
				v.marks[c-1]++
			}
			if n == len(buf) {
				n = -1
				continue
			}
			buf[n] = byte(r)
			n++
			continue
		}
		if !isWordRune(r) {
			flush()
			continue
		}
		if unicode.IsLetter(r) {
			sc := scriptOf(r)
			v.scripts[sc]++
			if sc == scLatin && r >= 0x100 && r != 'œ' && r != 'Œ' {
				v.extLatin++
			}
		}
		if n < 0 {
			continue
		}
		r = unicode.ToLower(r)
		if c := marks.letter(r); c != 0 {
			v.marks[c-1]++
		}
		if n+utf8.RuneLen(r) > len(buf) {
			n = -1
			continue
		}
		n += utf8.EncodeRune(buf[n:], r)
	}
	flush()
	for _, c := range v.voted[:v.nVoted] {
		v.vote(voteClasses[c], int(v.votes[c]))
	}
}

// vote counts n stopwords of the languages in set.
func (v *langVote) vote(set langSet, n int) {
	w := n * shareUnit / bits.OnesCount32(uint32(set))
	others := ^set & (1<<detectLangs - 1)
	for s := uint32(set); s != 0; s &= s - 1 {
		i := bits.TrailingZeros32(s)
		v.score[i] += w
		v.hits[i] += n
		for o := uint32(others); o != 0; o &= o - 1 {
			v.only[i][bits.TrailingZeros32(o)] += n
		}
	}
}

// letters returns the number of letters.
func (v *langVote) letters() int {
	n := 0
	for _, c := range v.scripts {
		n += c
	}
	return n
}

// script returns the main script of the text. A Han, kana or Hangul
// letter counts three: it is a word or most of one.
func (v *langVote) script() int {
	best, bestN := scOther, 0
	for s, c := range v.scripts {
		switch s {
		case scHan, scKana, scHangul:
			c *= 3
		}
		if s == scHan {
			c += 3 * v.scripts[scKana] // Japanese mixes both
		}
		if c > bestN {
			best, bestN = s, c
		}
	}
	return best
}

// foreign reports whether the text has too many letters that none of
// the vote's winners write (č, ł, ı, ș...) to be in one of them: a name
// or two pass.
func (v *langVote) foreign() bool {
	return v.extLatin >= 2 && v.extLatin*extLatinRatio >= v.scripts[scLatin]
}

// decide returns the winner of the vote, if it is clear.
func (v *langVote) decide() (string, bool) {
	if v.scripts[scLatin]*2 < v.letters() || v.words == 0 || v.foreign() {
		return "", false
	}
	best := v.leader()
	if v.hits[best] < minVoteHits || float64(v.hits[best]) < minVoteShare*float64(v.words) {
		return "", false
	}
	for j := range v.only {
		if a, b := v.only[best][j], v.only[j][best]; j != best && (a < minVoteMargin || float64(a) < voteRatio*float64(b)) {
			return "", false
		}
	}
	tag := voteTag(best)
	switch {
	case v.belied(tag):
		return "", false
	case best < len(stopLangs), tag == "ca", tag == "gl":
		return tag, true
	}
	return "", false
}

// voteTag returns the tag of vote language i.
func voteTag(i int) string {
	if i < len(stopLangs) {
		return stopLangs[i]
	}
	return guardLangs[i-len(stopLangs)].tag
}

// belied reports whether letters belie lang, a Spanish, Portuguese,
// Galician or Catalan winner of the vote: a neighbour has more letters
// of its own against it than it against the neighbour (ñ against
// Portuguese, ã or è against Spanish).
func (v *langVote) belied(lang string) bool {
	i := slices.Index(markLangs, lang)
	if i < 0 || !slices.Contains(marks.romance, i) {
		return false
	}
	for _, j := range marks.romance {
		if j != i && v.markOnly(j, i) > v.markOnly(i, j) {
			return true
		}
	}
	return false
}

// leader returns the language with the best score of the vote.
func (v *langVote) leader() int {
	best := 0
	for i := range v.score {
		if v.score[i] > v.score[best] {
			best = i
		}
	}
	return best
}

// agrees reports whether the vote, unclear by itself, backs stopLangs
// language i that whatlanggo guessed: some of i's stopwords, a fifth of
// the words, no language with more words of its own against i than i
// against it, and no letters against it.
func (v *langVote) agrees(i int) bool {
	if v.hits[i] < minAgreeHits || float64(v.hits[i]) < minVoteShare*float64(v.words) ||
		v.foreign() || v.belied(voteTag(i)) {
		return false
	}
	for j := range v.only {
		if j != i && v.only[j][i] > v.only[i][j] {
			return false
		}
	}
	return true
}

// markOnly counts the marks that point to markLangs a and not to b.
func (v *langVote) markOnly(a, b int) int {
	n := 0
	for c, set := range marks.classes {
		if v.marks[c] != 0 && set&(1<<a) != 0 && set&(1<<b) == 0 {
			n += int(v.marks[c])
		}
	}
	return n
}

// tell returns the member of family fam that the marks single out, -1
// if none; hint is whatlanggo's guess (-1 if not in fam).
func (v *langVote) tell(fam []int, hint int) int {
	for _, i := range fam {
		need := markMargin
		if i == hint {
			need = 1
		}
		if len(fam) == 1 {
			if v.markOnly(i, len(markLangs)) >= need { // a bit no class has: all of i's marks
				return i
			}
			return -1
		}
		told := true
		for _, j := range fam {
			if a, b := v.markOnly(i, j), v.markOnly(j, i); j != i && (a < need || float64(a) < markRatio*float64(b)) {
				told = false
				break
			}
		}
		if told {
			return i
		}
	}
	return -1
}

// scriptLangs are the languages whatlanggo knows by their script alone,
// which no other language of news writes.
var scriptLangs = map[whatlanggo.Lang]bool{
	whatlanggo.Kat: true, whatlanggo.Kan: true, whatlanggo.Tel: true, whatlanggo.Mal: true,
	whatlanggo.Guj: true, whatlanggo.Pan: true, whatlanggo.Ori: true, whatlanggo.Sin: true,
	whatlanggo.Khm: true, whatlanggo.Mya: true,
}

// whatlangTag returns the primary subtag of whatlanggo's lang: Bokmål
// and Nynorsk are both "no", the macrolanguage, as their shared words
// are too many to tell them on a paragraph.
func whatlangTag(lang whatlanggo.Lang) string {
	switch lang {
	case whatlanggo.Nob, whatlanggo.Nno:
		return "no"
	case -1:
		return ""
	}
	return lang.Iso6391()
}

// detectLanguage returns the BCP 47 primary subtag of text's language,
// "und" when unsure: a wrong answer costs more than none (the HTML path
// then keeps the page's declared language).
//
// Latin-script text in one of the stopLangs is decided by a vote of its
// stopwords, in one pass (a tenth of whatlanggo's time). Han, kana,
// Hangul, Thai, Greek, Tamil and Bengali say their language. Otherwise
// whatlanggo guesses among all its languages, and the guess stands only
// when the marks single out its language within its family (Indonesian
// or Malay? Czech or Slovak?), or for a stopLangs language when the vote
// backs it. A guess that is not one of the languages promised (a decoy
// such as Afrikaans or Javanese) gives "und", not its nearest neighbour.
func detectLanguage(text string) string {
	if len(text) > detectMaxBytes {
		text = strings.ToValidUTF8(text[:detectMaxBytes], "")
	}
	var v langVote
	v.scan(text)
	script := v.script()
	switch script {
	case scHan, scKana, scHangul, scThai:
		if v.letters() < minCJKLetters {
			return "und"
		}
	default:
		if v.words < 3 {
			return "und"
		}
	}
	switch script {
	case scHan, scKana:
		// Japanese has kana in every sentence; Chinese none, or a stray one.
		if k := v.scripts[scKana]; k > 0 && k*20 >= k+v.scripts[scHan] {
			return "ja"
		}
		return "zh"
	case scHangul:
		return "ko"
	case scThai:
		return "th"
	case scGreek:
		return "el"
	case scTamil:
		return "ta"
	case scBengali:
		if v.marks[marks.letter('ৰ')-1] > 0 { // Assamese
			return "und"
		}
		return "bn"
	case scLatin:
		if lang, ok := v.decide(); ok {
			return lang
		}
	}
	if len(text) > whatlangMaxBytes {
		text = strings.ToValidUTF8(text[:whatlangMaxBytes], "")
	}
	info := whatlanggo.Detect(text)
	tag := whatlangTag(info.Lang)
	if i := stopLangIndex(tag); i >= 0 && script == scLatin {
		if v.agrees(i) {
			return tag
		}
		return "und"
	}
	fam, ok := scriptFamily[script]
	if !ok {
		fam, ok = marks.family[tag]
	}
	if !ok {
		switch {
		case scriptLangs[info.Lang] && script == scOther:
			return tag
		case script == scLatin && info.Confidence < maxDecoyConfidence:
			if i := v.leader(); i < len(stopLangs) && v.agrees(i) {
				return stopLangs[i]
			}
		}
		return "und"
	}
	hint := -1
	members := marks.families[fam]
	for _, i := range members {
		if markLangs[i] == tag {
			hint = i
		}
	}
	if hint < 0 && script != scLatin {
		return "und" // whatlanggo names a language out of the family: Maithili, Saraiki
	}
	// Ukrainian has і, ї or є in nearly every sentence: their lack in a
	// line or two marks Russian (or Bulgarian...) against it.
	if script == scCyrillic && v.scripts[scCyrillic] >= minNotUkLetters &&
		v.marks[marks.letter('і')-1] == 0 && v.marks[marks.letter('ї')-1] == 0 {
		v.marks[marks.notUk-1]++
	}
	if i := v.tell(members, hint); i >= 0 && i < len(markOut) {
		return markLangs[i]
	}
	return "und"
}

// normalizeLangTag reduces a declared language ("fr-FR", "fr_FR", "FR") to
// its primary subtag; "" if it is not a plausible tag.
func normalizeLangTag(s string) string {
	s = article.PrimaryLanguage(strings.TrimSpace(s))
	if len(s) < 2 || len(s) > 3 {
		return ""
	}
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return ""
		}
	}
	return s
}
