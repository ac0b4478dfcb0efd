package story

import (
	"strings"
	"sync"
)

// stopwordLists are the function words of each supported language, after
// the Snowball project's lists, shortened to their common forms, with the
// forms of "to be" and "to have". Words that carry no event (articles,
// pronouns, prepositions, auxiliaries) must not make two texts look alike.
var stopwordLists = map[string]string{
	"fr": `a à afin ai aie aient ainsi alors as au aucun aussi autre autres aux avaient avais avait avant avec avez aviez avions avoir avons ayant c ça car ce ceci cela celle celles celui ces cet cette ceux chaque comme comment d dans de depuis des deux dont du elle elles en encore entre es est et été étaient étais était êtes étions être eu eux fait faire font fut il ils j je jusqu l la le les leur leurs lors lui m ma mais me même mêmes mes moi mon n ne ni nos notre nous on ont ou où par parce pas peu peut plus pour pourquoi qu quand que quel quelle quelles quels qui s sa sans se selon sera seront ses si sien soit son sont sous sur t ta tandis te tes toi ton tous tout toute toutes très tu un une vers via vos votre vous y`,
	"en": `a about above after again against all also am an and any are as at be because been before being below between both but by can could did do does doing down during each few for from further had has have having he her here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other our ours out over own said same she should so some such than that the their theirs them themselves then there these they this those through to too under until up very was we were what when where which while who whom why will with would you your yours`,
	"de": `aber alle allem allen aller alles als also am an ander andere anderen auch auf aus bei bin bis bist da damit dann das dass dasselbe dazu dein deine dem den denn der des desselben dessen dich die dies diese dieselbe diesem diesen dieser dieses dir doch dort du durch ein eine einem einen einer eines einig er es etwas euch euer für gegen gewesen hab habe haben hat hatte hatten hier hin hinter ich ihm ihn ihnen ihr ihre ihrem ihren ihrer ihres im in indem ins ist jede jedem jeden jeder jedes jene jetzt kann kein keine man manche mein mich mir mit muss nach nicht nichts noch nun nur ob oder ohne sehr sein seine seinem seinen seiner seit sich sie sind so solche soll sollte sondern sonst über um und uns unser unter viel vom von vor war waren warst was weil welche wenn werde werden wie wieder will wir wird wo wollen wurde wurden zu zum zur zwar zwischen`,
	"es": `a al algo algunos ante antes como con contra cual cuando de del desde donde durante e el él ella ellas ellos en entre era eran es esa esas ese eso esos esta está están estaba estas este esto estos fue fueron ha había han hasta hay la las le les lo los más me mi mis mucho muy nada ni no nos nosotros o os otra otras otro otros para pero poco por porque que qué quien se sea ser si sí sin sino sobre son su sus también tanto te tiene tienen todo todos tu tus un una uno unos y ya yo`,
	"it": `a abbiamo ad agli ai al alla alle allo anche avere aveva avevano c che chi ci coi col come con contro cui da dagli dai dal dalla dalle dallo degli dei del della delle dello di dove e è ed era erano essere gli ha hanno i il in io la le lei li lo loro lui ma mi mia mio ne negli nei nel nella nelle nello noi non nostro o per perché più quale quando quella quelle quelli quello questa queste questi questo se sei si sia siamo sono sta stata stato su sua sue sugli sui sul sulla sulle suo suoi tra tu tutti tutto un una uno vi voi`,
	"pt": `a à ao aos as às até com como da das de dela dele deles depois do dos e é ela elas ele eles em entre era eram essa essas esse esses esta está estão estava este estes eu foi foram há isso isto já lhe lhes mais mas me mesmo meu minha muito na não nas nem no nos nós num numa o os ou para pela pelas pelo pelos por qual quando que quem se sem ser seu seus só sua suas também te tem têm um uma umas uns você`,
	"nl": `aan al alles als altijd andere ben bij daar dan dat de der deze die dit doch doen door dus een eens en er ge geen geweest haar had heb hebben heeft hem het hier hij hoe hun iemand iets ik in is ja je kan kon kunnen maar me meer men met mij mijn moet na naar niet niets nog nu of om omdat onder ons ook op over reeds te tegen toch toen tot u uit uw van veel voor want waren was wat werd wezen wie wil worden wordt zal ze zelf zich zij zijn zo zonder zou`,
}

// stopwords returns the stopword set of each language, built once.
var stopwords = sync.OnceValue(func() map[string]map[string]bool {
	sets := make(map[string]map[string]bool, len(stopwordLists))
	for lang, list := range stopwordLists {
		set := make(map[string]bool)
		for _, w := range strings.Fields(list) {
			set[w] = true
		}
		sets[lang] = set
	}
	return sets
})

// isStopword reports whether word (lowercased) is a function word of lang.
// Every language's short words are dropped anyway (see minTermRunes).
func isStopword(lang, word string) bool {
	return stopwords()[primaryLanguage(lang)][word]
}

// primaryLanguage is the primary subtag of a BCP 47 tag ("pt-BR" -> "pt").
func primaryLanguage(tag string) string {
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return strings.ToLower(tag)
}
