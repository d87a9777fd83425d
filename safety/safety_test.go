package safety

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

func load(t testing.TB) *Recogniser {
	t.Helper()
	r, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The rules of language, one by one: each pair says the same alarming words with and
// without what makes them harmless.
func TestLanguageRules(t *testing.T) {
	r := load(t)
	cases := []struct {
		name   string
		danger Kind // "" for none
		text   string
	}{
		{"plain", Violence, "mio marito mi picchia"},
		{"negated", "", "mio marito non mi picchia"},
		{"negated across fillers", "", "non mi ha mai picchiata"},
		{"negation inside a phrase", "", "I'm not being abused"},
		{"negation that belongs to the concept", Medical, "è caduta e non si rialza"},
		{"English contraction", Medical, "she fell and can't get up"},
		{"no apostrophe", Medical, "she fell and cant get up"},
		{"never", "", "he never hit me"},
		{"past", "", "l'anno scorso mia madre è caduta e non si rialzava"},
		{"childhood", "", "quando ero piccolo mio padre picchiava mia madre"},
		{"past then present", Violence, "anni fa mi picchiava, ora mi minaccia di morte"},
		{"past lifted by again", SelfHarm, "ho tentato il suicidio l'anno scorso e ora ci penso di nuovo"},
		{"hypothesis", "", "se cade non riesce ad alzarsi"},
		{"a polite if is no hypothesis", Medical, "è caduta e non si rialza, se potete aiutatemi"},
		{"hypothesis does not excuse a threat", Violence, "dice che se lo lascio mi ammazza"},
		{"learning", "", "corso di primo soccorso per chi non respira"},
		{"fiction", "", "in the novel the hero kills himself"},
		{"idiom", "", "muoio dal ridere"},
		{"idiom, English", "", "this heat is killing me"},
		{"threat", Violence, "he said he will kill me"},
		{"after an event", "", "fisioterapia dopo un ictus"},
		{"had an event", "", "ha avuto un infarto due anni fa"},
		{"the event now", Medical, "credo che stia avendo un infarto"},
		{"habit", "", "mio figlio non si sveglia la mattina per la scuola"},
		{"resolved", "", "è svenuta ma ora sta bene"},
		{"still not well", Medical, "è svenuta e non sta bene"},
		{"a thing fell", "", "è caduta la linea e non risponde nessuno"},
		{"for someone else", "", "ho preparato le pastiglie per mia madre"},
		{"for oneself", SelfHarm, "ho preparato le pastiglie"},
		{"clitic", SelfHarm, "voglio uccidermi"},
		{"clitic, a threat", Violence, "mio marito vuole uccidermi"},
		{"negation after the verb", Medical, "elle est tombée et elle se relève pas"},
		{"negation after an auxiliary", Medical, "il est tombé, il a pas répondu depuis hier"},
		{"negation after the verb denies it alone", SelfHarm, "je veux plus vivre"},
		{"negation after the verb, harmless", "", "je veux pas mourir, je veux un cours"},
		{"French se is no Italian se", Medical, "ma mère est tombée, elle se réveille pas"},
		{"third person", SelfHarm, "mio figlio dice che vuole ammazzarsi"},
		{"typo", Violence, "mio marito mi pichia"},
		{"swapped letters", SelfHarm, "I wnat to kill myslef"},
		{"a real word is no typo", "", "cerco un sussidio per l'affitto"},
		{"no accents", Medical, "mio padre e svenuto"},
		{"a minor by age", Child, "un uomo molesta mia figlia di 12 anni"},
		{"fire", Fire, "c'è un incendio in cucina"},
		{"a bill is no leak", "", "la bolletta del gas è troppo alta"},
		{"overdose", Overdose, "ha preso tutte le pastiglie del flacone"},
		{"pills as usual", "", "he took his pills this morning"},
		{"two sentences", Medical, "Mia madre è caduta. Non si alza."},
		{"a reflexive se is no hypothesis", Medical, "mi mama se cayo y no se puede levantar"},
		{"an if is still a hypothesis", "", "que hago si mi mama se cae y no se puede levantar"},
		{"far apart", "", "mia madre è caduta l'altro giorno al mercato mentre faceva la spesa con le amiche e la vicina. Poi siamo tornati e abbiamo mangiato insieme. Il ristorante non risponde al telefono."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, ok := r.Assess(c.text)
			if ok != (c.danger != "") || a.Kind != c.danger {
				t.Errorf("%q: %+v, want %q", c.text, a, c.danger)
			}
		})
	}
}

// A message that signals several kinds is answered for the most urgent, and names the
// others.
func TestSeveralKinds(t *testing.T) {
	a, ok := load(t).Assess("il mio ex mi minaccia e ho preso tutte le pastiglie")
	if !ok || a.Kind != Overdose || !slices.Contains(a.Also, Violence) || len(a.Why) != 2 {
		t.Errorf("got %+v", a)
	}
	if !strings.HasPrefix(a.Why[0], "overdose: ") {
		t.Errorf("why %q", a.Why)
	}
}

func TestKindsHaveRules(t *testing.T) {
	r := load(t)
	for i, k := range Kinds() {
		if len(r.rules[i]) == 0 {
			t.Errorf("%s has no rules", k)
		}
	}
}

// The recogniser is shared by every conversation.
func TestConcurrentUse(t *testing.T) {
	r := load(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				text := fmt.Sprintf("messaggio %d %d: mia madre è caduta e non si rialza", i, j)
				if _, ok := r.Assess(text); !ok {
					t.Errorf("missed %q", text)
				}
			}
		}()
	}
	wg.Wait()
}

// A message at the engine's limit is assessed whole: danger at its end is found.
func TestLongMessage(t *testing.T) {
	r := load(t)
	long := strings.Repeat("cerco una badante per mia madre che vive sola e non esce mai di casa, ", 280)
	a, ok := r.Assess(long + "e adesso è caduta e non si rialza")
	if len([]rune(long)) > maxRunes {
		t.Fatalf("the test message (%d runes) must end within the %d runes assessed", len([]rune(long)), maxRunes)
	}
	if !ok || a.Kind != Medical {
		t.Errorf("danger at the end of a long message: %+v", a)
	}
}

// BenchmarkAssess assesses a long, ordinary message with alarming words: the
// recogniser runs on every message.
func BenchmarkAssess(b *testing.B) {
	r := load(b)
	text := "Buongiorno, vi scrivo perché mia madre ha 87 anni e vive da sola in zona Città Studi. " +
		"L'anno scorso è caduta in bagno e da allora ha paura di fare la doccia da sola; il medico dice " +
		"che rischia di cadere di nuovo e che dopo l'ictus di mio padre non possiamo lasciarla senza " +
		"nessuno. Cerco una persona che la aiuti due mattine a settimana, possibilmente che parli " +
		"italiano, e vorrei sapere se c'è un corso di primo soccorso per familiari. I don't want her to " +
		"fall again: is there a carer who can help? Grazie mille, muoio dal ridere con questo bot."
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		r.Assess(text)
	}
}

// BenchmarkLoad builds the recogniser, as the engine does once at start.
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}
