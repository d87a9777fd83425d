package hsds

import "testing"

// RFC 9562's name-based SHA-1 UUIDs, checked against a published value: the DNS
// namespace's "www.example.com".
func TestUUID5(t *testing.T) {
	dns := [16]byte{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	if got := formatUUID(uuid5(dns, "www.example.com")); got != "2ed6657d-e927-568b-95e1-2665a8aea6a2" {
		t.Errorf("uuid5 = %s", got)
	}
	a, b := ID("service", "arcobaleno-babysitting"), ID("service", "arcobaleno-babysitting")
	if a != b || !IsUUID(a) || a == ID("organization", "arcobaleno-babysitting") {
		t.Errorf("ids: %s %s", a, b)
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Il Faro Società Cooperativa Sociale": "il-faro-societa-cooperativa-sociale",
		"  Caffè & Co. -- Milano! ":           "caffe-co-milano",
		"中文":                                  "",
		"A very long name that goes on and on beyond forty-eight characters": "a-very-long-name-that-goes-on-and-on-beyond-fort",
	} {
		got := Slug(in)
		if got != want || len(got) > maxIDLength {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}
