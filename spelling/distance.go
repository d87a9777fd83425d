// Package spelling measures how far apart two words are, for the typo tolerance of
// the search and of the danger recogniser. It imports only the standard library.
package spelling

import "unsafe"

// Distance returns the optimal string alignment distance between a and b — the edits
// (insert, delete, replace, or swap two neighbours) that turn one into the other,
// counted on letters, in any script — or limit+1 as soon as it must exceed limit.
func Distance(a, b string, limit int) int {
	if isASCII(a) && isASCII(b) {
		// A letter is a byte: read the strings in place, without copying them.
		return distance(unsafe.Slice(unsafe.StringData(a), len(a)), unsafe.Slice(unsafe.StringData(b), len(b)), limit)
	}
	return distance([]rune(a), []rune(b), limit)
}

// Within reports whether a and b are at most max edits apart (see Distance).
func Within(a, b string, max int) bool { return Distance(a, b, max) <= max }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// distance is Distance on letters of one kind: bytes of ASCII words, runes of others.
func distance[T byte | rune](a, b []T, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	// Three rows of the table; words are short, so they live on the stack.
	var buf [3][64]int
	var prev2, prev, cur []int
	if len(b) < len(buf[0]) {
		prev2, prev, cur = buf[0][:len(b)+1], buf[1][:len(b)+1], buf[2][:len(b)+1]
	} else {
		prev2, prev, cur = make([]int, len(b)+1), make([]int, len(b)+1), make([]int, len(b)+1)
	}
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], limit+1)
}
