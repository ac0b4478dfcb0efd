package normalize

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// seedTexts returns what Normalize hands detectLanguage for each seed:
// the title and the body, one paragraph a line.
func seedTexts(b testing.TB) []string {
	b.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "seeds", "*.txt"))
	if err != nil || len(files) == 0 {
		b.Fatalf("seeds: %v %v", files, err)
	}
	var out []string
	for _, f := range files {
		name, data := readSeed(b, strings.SplitN(filepath.Base(f), "_", 2)[0])
		a, err := newTest().Normalize(context.Background(), Input{Name: name, Data: data})
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, a.Title+"\n"+strings.Join(a.Body, "\n"))
	}
	return out
}

func BenchmarkDetectLanguage(b *testing.B) {
	texts := seedTexts(b)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if l := detectLanguage(texts[i%len(texts)]); l != "fr" {
			b.Fatalf("got %q", l)
		}
	}
}

// langCases are news sentences, paragraphs and headlines with their
// language. The close pairs (pt/es, nl/de/en, ca/gl against es/pt) say the
// same thing in each language.
var langCases = []struct{ lang, text string }{
	// One news item in every language.
	{"fr", "Le gouvernement a annoncé mardi une série de mesures pour soutenir les agriculteurs touchés par la sécheresse, qui dure depuis plusieurs mois dans le sud du pays. Les aides seront versées avant la fin de l'année, a précisé le ministre."},
	{"en", "The government announced on Tuesday a series of measures to support farmers hit by the drought, which has lasted for several months in the south of the country. The aid will be paid before the end of the year, the minister said."},
	{"de", "Die Bundesregierung hat am Dienstag ein Paket von Maßnahmen angekündigt, um die von der Dürre betroffenen Landwirte zu unterstützen. Die Hilfen sollen noch vor Ende des Jahres ausgezahlt werden, sagte der Minister in Berlin."},
	{"es", "El Gobierno anunció el martes una serie de medidas para apoyar a los agricultores afectados por la sequía, que dura desde hace varios meses en el sur del país. Las ayudas se pagarán antes de que termine el año, precisó el ministro."},
	{"it", "Il governo ha annunciato martedì una serie di misure per sostenere gli agricoltori colpiti dalla siccità, che dura da diversi mesi nel sud del paese. Gli aiuti saranno versati entro la fine dell'anno, ha precisato il ministro."},
	{"pt", "O governo anunciou na terça-feira uma série de medidas para apoiar os agricultores afetados pela seca, que dura há vários meses no sul do país. Os apoios serão pagos antes do fim do ano, precisou o ministro."},
	{"nl", "De regering heeft dinsdag een reeks maatregelen aangekondigd om de boeren te steunen die door de droogte zijn getroffen. De steun wordt nog voor het einde van het jaar uitbetaald, zei de minister in Den Haag."},
	{"pl", "Rząd ogłosił we wtorek pakiet działań, które mają wesprzeć rolników dotkniętych suszą, trwającą od kilku miesięcy na południu kraju. Pomoc zostanie wypłacona przed końcem roku, powiedział minister."},
	{"ru", "Правительство во вторник объявило о ряде мер по поддержке фермеров, пострадавших от засухи, которая продолжается уже несколько месяцев на юге страны. Помощь будет выплачена до конца года, уточнил министр."},
	{"tr", "Hükümet salı günü, ülkenin güneyinde aylardır süren kuraklıktan etkilenen çiftçileri desteklemek için bir dizi önlem açıkladı. Bakan, yardımların yıl sonundan önce ödeneceğini söyledi."},
	{"sv", "Regeringen meddelade på tisdagen en rad åtgärder för att stödja de bönder som drabbats av torkan, som har pågått i flera månader i landets södra delar. Stödet ska betalas ut före årets slut, sade ministern."},
	{"ca", "El Govern va anunciar dimarts una sèrie de mesures per donar suport als pagesos afectats per la sequera, que dura des de fa diversos mesos al sud del país. Les ajudes es pagaran abans que acabi l'any, va precisar el conseller."},
	{"gl", "O Goberno anunciou o martes unha serie de medidas para apoiar os agricultores afectados pola seca, que dura desde hai varios meses no sur do país. As axudas pagaranse antes de que remate o ano, precisou o conselleiro."},

	// Other paragraphs.
	{"fr", "Selon les premiers éléments de l'enquête, le conducteur aurait perdu le contrôle de son véhicule sur une route glissante. Il a été transporté à l'hôpital dans un état grave."},
	{"en", "Police said the driver lost control of his car on an icy road late on Sunday night. He was taken to hospital with serious injuries, and an investigation is under way."},
	{"en", "Shares in the company rose 12% in early trading in New York after it reported better-than-expected profits and raised its forecast for the rest of the year."},
	{"de", "Nach Angaben der Polizei verlor der Fahrer in der Nacht zum Montag auf glatter Straße die Kontrolle über seinen Wagen. Er wurde schwer verletzt in ein Krankenhaus gebracht."},
	{"de", "Der Bundestag hat das umstrittene Heizungsgesetz nach monatelangem Streit beschlossen. Die Opposition kündigte an, vor das Bundesverfassungsgericht zu ziehen."},
	{"es", "Según la policía, el conductor perdió el control de su coche en una carretera helada la noche del domingo. Fue trasladado al hospital con heridas graves y se ha abierto una investigación."},
	{"es", "La selección española se clasificó para la final tras vencer a Francia por dos goles a uno en un partido muy disputado que se decidió en los últimos minutos."},
	{"pt", "Segundo a polícia, o condutor perdeu o controle do carro numa estrada com gelo na noite de domingo. Foi levado para o hospital com ferimentos graves e foi aberta uma investigação."},
	{"pt", "A seleção brasileira se classificou para a final depois de vencer a Argentina por dois a um em uma partida muito disputada, que só foi decidida nos últimos minutos."},
	{"pt", "O presidente disse que não vai aceitar a proposta do Congresso e que o governo está preparando um novo projeto de lei, que deve ser enviado ainda este mês."},
	{"it", "Secondo la polizia, il conducente ha perso il controllo della sua auto su una strada ghiacciata nella notte tra domenica e lunedì. È stato trasportato in ospedale in gravi condizioni."},
	{"nl", "Volgens de politie verloor de bestuurder zondagnacht op een gladde weg de macht over het stuur. Hij is met ernstige verwondingen naar het ziekenhuis gebracht en er is een onderzoek ingesteld."},
	{"nl", "Het kabinet wil de belasting op arbeid verlagen, maar de oppositie vindt dat er te weinig geld over is voor de zorg en het onderwijs."},
	{"pl", "Według policji kierowca stracił panowanie nad samochodem na oblodzonej drodze w niedzielę w nocy. Został przewieziony do szpitala z poważnymi obrażeniami."},
	{"uk", "За даними поліції, водій втратив керування автомобілем на слизькій дорозі в ніч на понеділок. Його доставили до лікарні з тяжкими травмами."},
	{"ru", "По данным полиции, водитель потерял управление автомобилем на обледенелой дороге в ночь на понедельник. Его доставили в больницу с тяжелыми травмами."},
	{"tr", "Polise göre sürücü, pazar gecesi buzlu yolda aracının kontrolünü kaybetti. Ağır yaralanan sürücü hastaneye kaldırıldı ve olayla ilgili soruşturma başlatıldı."},
	{"sv", "Enligt polisen förlorade föraren kontrollen över bilen på en isig väg sent på söndagskvällen. Han fördes till sjukhus med allvarliga skador och en utredning har inletts."},
	{"ca", "Segons la policia, el conductor va perdre el control del cotxe en una carretera glaçada la nit de diumenge. Va ser traslladat a l'hospital amb ferides greus i s'ha obert una investigació."},
	{"gl", "Segundo a policía, o condutor perdeu o control do coche nunha estrada xeada na noite do domingo. Foi trasladado ao hospital con feridas graves e xa se abriu unha investigación."},

	// Headlines, 8 to 12 words.
	{"fr", "Le Sénat adopte la réforme des retraites après un long débat"},
	{"fr", "Vladimir Poutine en visite officielle en Biélorussie pour discuter de défense"},
	{"en", "Storm leaves thousands of homes without power across the north of England"},
	{"en", "Government to raise the minimum wage for the second time this year"},
	{"de", "Bahnstreik legt den Verkehr in ganz Deutschland für zwei Tage lahm"},
	{"de", "Regierung will das Rentenalter nicht erhöhen, sagt der Kanzler"},
	{"es", "El Real Madrid gana la Liga por segunda vez en tres años"},
	{"es", "Los precios de la vivienda suben un 8% en las grandes ciudades"},
	{"it", "Il governo approva la manovra, scontro con i sindacati sulle pensioni"},
	{"it", "Maltempo in Liguria, chiuse le scuole e strade allagate a Genova"},
	{"pt", "Governo aprova novo pacote de medidas para conter a inflação no país"},
	{"pt", "Incêndio destrói armazém no Porto e não há feridos, diz a polícia"},
	{"nl", "Kabinet wil belasting op arbeid verlagen, oppositie is kritisch over het plan"},
	{"nl", "Storm zorgt voor veel schade in het noorden van het land"},
	{"pl", "Sejm przyjął ustawę o podatkach, opozycja zapowiada skargę do trybunału"},
	{"ru", "Госдума приняла закон о налогах в первом чтении во вторник"},
	{"uk", "Верховна Рада ухвалила закон про податки в першому читанні"},
	{"tr", "Merkez Bankası faiz oranını yüzde elli seviyesinde sabit tuttu"},
	{"sv", "Regeringen vill sänka skatten för pensionärer redan från nästa år"},

	// Too little to tell.
	{"und", "2024 — 12"},
}

func TestDetectLanguage(t *testing.T) {
	for _, tt := range langCases {
		var v langVote
		v.scan(tt.text)
		vote, decided := v.decide()
		if got := detectLanguage(tt.text); got != tt.lang {
			t.Errorf("detectLanguage(%.60q) = %q, want %q (vote %q %v)", tt.text, got, tt.lang, vote, decided)
		} else if !decided {
			t.Logf("%s by whatlanggo: %.60q", tt.lang, tt.text)
		}
	}
}
