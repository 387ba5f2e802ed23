package bench

// Breakdown sorts session output by what the bytes do, to show where an update's bytes go.
type Breakdown struct {
	Text    int // printable ASCII
	Wide    int // bytes of non-ASCII characters (UTF-8; a Chinese character is 3)
	SGR     int // colour and attribute changes (CSI … m)
	Move    int // cursor movement: CUP, CHA, CUU/CUD/CUF/CUB, VPA, CR, LF, BS
	Erase   int // EL, ED, ECH
	Other   int // everything else: modes, titles, queries
	Erases  int // how many erase-line sequences: close to the number of rows repainted
	Seqs    int // escape sequences in all
	Total   int
	WideChr int // non-ASCII characters
}

// Classify walks output as a terminal would parse it (CSI, OSC and other escapes, UTF-8
// text) and adds each byte to one class.
func Classify(b []byte) Breakdown {
	var d Breakdown
	d.Total = len(b)
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == 0x1b && i+1 < len(b) && b[i+1] == '[':
			j := i + 2
			for j < len(b) && (b[j] < 0x40 || b[j] > 0x7e) {
				j++
			}
			if j >= len(b) {
				d.Other += len(b) - i
				return d
			}
			n := j + 1 - i
			d.Seqs++
			switch b[j] {
			case 'm':
				d.SGR += n
			case 'H', 'f', 'G', 'A', 'B', 'C', 'D', 'd', 'E', 'F':
				d.Move += n
			case 'K':
				d.Erase += n
				d.Erases++
			case 'J', 'X', 'P', '@':
				d.Erase += n
			default:
				d.Other += n
			}
			i = j + 1
		case c == 0x1b && i+1 < len(b) && b[i+1] == ']':
			// OSC, ended by BEL or ST.
			j := i + 2
			for j < len(b) && b[j] != 0x07 && !(b[j] == 0x1b && j+1 < len(b) && b[j+1] == '\\') {
				j++
			}
			if j < len(b) && b[j] == 0x1b {
				j++
			}
			d.Seqs++
			d.Other += min(j+1, len(b)) - i
			i = j + 1
		case c == 0x1b:
			d.Seqs++
			d.Other += min(2, len(b)-i)
			i += 2
		case c == '\r' || c == '\n' || c == '\b':
			d.Move++
			i++
		case c < 0x20 || c == 0x7f:
			d.Other++
			i++
		case c < 0x80:
			d.Text++
			i++
		default:
			n := 1
			for i+n < len(b) && b[i+n]&0xc0 == 0x80 {
				n++
			}
			d.Wide += n
			d.WideChr++
			i += n
		}
	}
	return d
}
