package catalogue

// CategoryID is the stable identifier of a service category. The ids are part of the
// public interface (CLI, JSON, deep links) and never change.
type CategoryID string

// The 13 categories of the WeMi catalogue.
const (
	SocioAssistenziale       CategoryID = "socio-assistenziale"
	AssistenzaSanitaria      CategoryID = "assistenza-sanitaria"
	Educativo                CategoryID = "educativo"
	Psicologico              CategoryID = "psicologico"
	AccompagnamentoTrasporto CategoryID = "accompagnamento-trasporto"
	EsteticoSocioSanitario   CategoryID = "estetico-socio-sanitario"
	PiccoleCommissioni       CategoryID = "piccole-commissioni"
	PastiDomicilio           CategoryID = "pasti-domicilio"
	PiccolaManutenzione      CategoryID = "piccola-manutenzione"
	CuraAnimali              CategoryID = "cura-animali"
	DisbrigoPratiche         CategoryID = "disbrigo-pratiche"
	LavoroDomestico          CategoryID = "lavoro-domestico"
	CorsiItaliano            CategoryID = "corsi-italiano"
)

// CategoryIDs returns the 13 categories in the order WeMi presents them.
func CategoryIDs() []CategoryID {
	return []CategoryID{
		SocioAssistenziale, AssistenzaSanitaria, Educativo, Psicologico,
		AccompagnamentoTrasporto, EsteticoSocioSanitario, PiccoleCommissioni,
		PastiDomicilio, PiccolaManutenzione, CuraAnimali, DisbrigoPratiche,
		LavoroDomestico, CorsiItaliano,
	}
}

// Valid reports whether id is one of the 13 categories.
func (id CategoryID) Valid() bool {
	for _, c := range CategoryIDs() {
		if c == id {
			return true
		}
	}
	return false
}
