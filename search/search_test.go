package search

import "testing"

// TestKey: the words, their full pinyin and their initials all match, and a Keyer that has
// seen the characters before builds the same key.
func TestKey(t *testing.T) {
	k := NewKeyer()
	first := k.Key("DL-0042", "房顶漏雨")
	if again := k.Key("DL-0042", "房顶漏雨"); again != first || Key("DL-0042", "房顶漏雨") != first {
		t.Fatalf("keys differ: %q %q", first, again)
	}
	for _, q := range []string{"漏雨", "loUyu", "fdly", "dl-0042", "房顶 ly"} {
		if !Match(first, Words(q)) {
			t.Errorf("%q does not match %q", q, first)
		}
	}
	if Match(first, Words("漏水")) {
		t.Error("漏水 matches 房顶漏雨")
	}
}
