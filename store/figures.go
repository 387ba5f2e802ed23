package store

import (
	"strconv"
	"time"
)

// One source for every figure. The four rates, coverage, overdue and the counts the panes,
// the assessment and every export show are counted here, once, by CountFigures, and every
// percentage is rounded here, once, by Percent: so the revisit pane, the overview, the score
// sheet and the filed tables agree to the digit on the same data.

// Percent rounds n/d to a whole percent, half up: 2/3 → 67, 1/8 → 13 (12.5 rounds up),
// 1/3 → 33. ok is false when d is 0: nothing to measure, shown as "–".
func Percent(n, d int) (pct int, ok bool) {
	if d <= 0 {
		return 0, false
	}
	return (200*n + d) / (2 * d), true
}

// PercentText writes Percent as "67%", or "–" when there is nothing to measure.
func PercentText(n, d int) string {
	p, ok := Percent(n, d)
	if !ok {
		return "–"
	}
	return strconv.Itoa(p) + "%"
}

// Figures are the numbers of one unit — a grid, a village, the township — with the counts
// behind every rate, so a reader can check them.
type Figures struct {
	// Coverage of the current roster (households and people that moved out are owed no
	// visit): 户覆盖率 = Visited ÷ Households, 人覆盖率 = Met ÷ Residents.
	Households, Visited int
	Residents, Met      int
	// The four rates (see RateOf).
	Rates
	// Open concerns, and those of them past the deadline in force on the day (Overdue).
	Open, Overdue int
	// Supervised concerns (挂牌督办) not closed since, open problem cases (Bounces ≥
	// ProblemThreshold), and deadlines moved later (延期), summed over the concerns.
	Supervised, Problems, Extensions int
	// ByTier counts every concern by the tier it is at, ByCategory by its category.
	ByTier     map[Tier]int
	ByCategory map[string]int
}

// Add sums two units' figures.
func (f Figures) Add(o Figures) Figures {
	s := Figures{ByTier: make(map[Tier]int, len(f.ByTier)), ByCategory: make(map[string]int, len(f.ByCategory))}
	s.AddIn(f)
	s.AddIn(o)
	return s
}

// AddIn adds o to f in place: summing a county's villages one by one with Add made two new
// maps for each of them after every change.
func (f *Figures) AddIn(o Figures) {
	f.Households += o.Households
	f.Visited += o.Visited
	f.Residents += o.Residents
	f.Met += o.Met
	f.Rates = f.Rates.Add(o.Rates)
	f.Open += o.Open
	f.Overdue += o.Overdue
	f.Supervised += o.Supervised
	f.Problems += o.Problems
	f.Extensions += o.Extensions
	if f.ByTier == nil {
		f.ByTier = map[Tier]int{}
	}
	if f.ByCategory == nil {
		f.ByCategory = map[string]int{}
	}
	for k, v := range o.ByTier {
		f.ByTier[k] += v
	}
	for k, v := range o.ByCategory {
		f.ByCategory[k] += v
	}
}

// FigureData is what figures are counted from, as one actor sees it.
type FigureData struct {
	// Households by pointer: the store's shared rows (HouseholdRefs) are counted without a
	// copy; a slice of values is handed in through Refs.
	Households []*Household
	Visits     []Visit
	Concerns   []Concern
	// EachConcern, when set, hands out concerns one at a time, counted besides Concerns (a
	// view that keeps them packed unpacks each into one value it reuses, rather than copying
	// all of them into a slice first); a caller sets one or the other.
	EachConcern func(fn func(c *Concern))
	Revisits    []Revisit
	Limits      Limits
	Now         time.Time
}

// CountFigures counts the figures of each grid, by grid code; a village's or the township's
// are their grids' summed with Add (Sum). A visit is credited to the grid its household is in
// now, each household and person once.
func CountFigures(d FigureData) map[string]Figures {
	out := map[string]Figures{}
	get := func(grid string) Figures {
		f, ok := out[grid]
		if !ok {
			f = Figures{ByTier: map[Tier]int{}, ByCategory: map[string]int{}}
		}
		return f
	}
	type hhKey struct{ village, id string }
	// Where each household is now and who lives there, for crediting visits: only when there
	// are visits (a county's 100,000 households and 300,000 residents put in maps cost each
	// count a fifth of a second).
	var (
		current map[hhKey]string // → its grid now
		people  map[string]bool
	)
	if len(d.Visits) > 0 {
		current, people = make(map[hhKey]string, len(d.Households)), map[string]bool{}
	}
	for _, h := range d.Households {
		// By pointer: a county's 100,000 households were copied twice on every count.
		if h = h.CurrentRef(); h == nil {
			continue
		}
		f := get(h.Grid)
		f.Households++
		f.Residents += len(h.Residents)
		out[h.Grid] = f
		if current != nil {
			current[hhKey{h.Village, h.ID}] = h.Grid
			for i := range h.Residents {
				people[h.Residents[i].ID] = true
			}
		}
	}
	visited, met := map[hhKey]bool{}, map[string]bool{}
	for _, v := range d.Visits {
		k := hhKey{v.Village, v.Household}
		grid, ok := current[k]
		if !ok {
			continue
		}
		f := get(grid)
		if !visited[k] {
			visited[k] = true
			f.Visited++
		}
		for _, p := range v.Present {
			if people[p] && !met[p] {
				met[p] = true
				f.Met++
			}
		}
		out[grid] = f
	}
	byConcern := map[string][]Revisit{}
	for _, r := range d.Revisits {
		byConcern[r.Concern] = append(byConcern[r.Concern], r)
	}
	today := d.Now.Format(time.DateOnly)
	count := func(c *Concern) {
		f := get(c.Grid)
		f.Rates = f.Rates.Add(RateOf(*c, byConcern[c.ID], d.Limits, d.Now))
		f.ByTier[c.Tier]++
		f.ByCategory[c.Category]++
		f.Extensions += c.Extensions
		if c.Status.Open() {
			f.Open++
			if c.ProblemCase() {
				f.Problems++
			}
		}
		if c.Overdue(today) {
			f.Overdue++
		}
		if c.Supervisor != "" && c.Status != StatusClosed {
			f.Supervised++
		}
		out[c.Grid] = f
	}
	if d.EachConcern != nil {
		d.EachConcern(count)
	}
	for i := range d.Concerns {
		count(&d.Concerns[i])
	}
	return out
}

// Sum adds the figures of the grids keep accepts (nil: all).
func Sum(byGrid map[string]Figures, keep func(grid string) bool) Figures {
	s := Figures{ByTier: map[Tier]int{}, ByCategory: map[string]int{}}
	for g, f := range byGrid {
		if keep == nil || keep(g) {
			s = s.Add(f)
		}
	}
	return s
}

// GridVillage returns the village code of a grid code (DL03 → DL): the letters before the
// number.
func GridVillage(grid string) string {
	i := len(grid)
	for i > 0 && grid[i-1] >= '0' && grid[i-1] <= '9' {
		i--
	}
	return grid[:i]
}
