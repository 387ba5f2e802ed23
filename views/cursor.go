package views

// Cursor is a list position with a scroll offset, kept by a pane for each of its lists.
type Cursor struct {
	Pos, Offset, N int
}

// SetLen sets the number of rows and keeps the position inside them.
func (c *Cursor) SetLen(n int) {
	c.N = n
	c.Move(0, 0)
}

// Move moves by delta rows and scrolls so the position stays within height visible rows.
func (c *Cursor) Move(delta, height int) {
	c.Pos += delta
	if c.Pos >= c.N {
		c.Pos = c.N - 1
	}
	if c.Pos < 0 {
		c.Pos = 0
	}
	c.Scroll(height)
}

// Scroll adjusts the offset so the position is visible within height rows.
func (c *Cursor) Scroll(height int) {
	if height <= 0 {
		return
	}
	if c.Pos < c.Offset {
		c.Offset = c.Pos
	}
	if c.Pos >= c.Offset+height {
		c.Offset = c.Pos - height + 1
	}
	if c.Offset > max(c.N-height, 0) {
		c.Offset = max(c.N-height, 0)
	}
	if c.Offset < 0 {
		c.Offset = 0
	}
}

// Window returns the visible range [from, to) for height rows.
func (c *Cursor) Window(height int) (from, to int) {
	c.Scroll(height)
	return c.Offset, min(c.Offset+max(height, 0), c.N)
}
