package store

import "sanbai/clean"

// cleanDataset cleans every free-text field of a dataset before it is stored.
func cleanDataset(d *Dataset) {
	d.Township.Name = clean.Line(d.Township.Name)
	d.Township.Office = clean.Line(d.Township.Office)
	for i := range d.Villages {
		v := &d.Villages[i]
		v.Name, v.Leader = clean.Line(v.Name), clean.Line(v.Leader)
	}
	for i := range d.Grids {
		d.Grids[i].Name = clean.Line(d.Grids[i].Name)
	}
	for i := range d.Households {
		h := &d.Households[i]
		h.Address = clean.Line(h.Address)
		cleanAll(h.Special)
		for j := range h.Residents {
			r := &h.Residents[j]
			r.Name, r.Relation, r.Gender = clean.Line(r.Name), clean.Line(r.Relation), clean.Line(r.Gender)
			r.IDNumber, r.Phone, r.Political = clean.Line(r.IDNumber), clean.Line(r.Phone), clean.Line(r.Political)
			cleanAll(r.Special)
		}
	}
	for i := range d.Members {
		m := &d.Members[i]
		m.Name, m.Phone = clean.Line(m.Name), clean.Line(m.Phone)
	}
	for i := range d.Cadres {
		c := &d.Cadres[i]
		c.Name, c.Post, c.Duties, c.Phone, c.Duty = clean.Line(c.Name), clean.Line(c.Post), clean.Line(c.Duties), clean.Line(c.Phone), clean.Line(c.Duty)
	}
	for i := range d.Officials {
		o := &d.Officials[i]
		o.Name, o.Post, o.Duties, o.Phone = clean.Line(o.Name), clean.Line(o.Post), clean.Line(o.Duties), clean.Line(o.Phone)
	}
	for i := range d.Projects {
		d.Projects[i].Title, d.Projects[i].Owner = clean.Line(d.Projects[i].Title), clean.Line(d.Projects[i].Owner)
	}
	for i := range d.Groups {
		d.Groups[i].Name = clean.Line(d.Groups[i].Name)
	}
	for i := range d.Visits {
		v := &d.Visits[i]
		v.Notes = clean.Text(v.Notes)
		for j := range v.Findings {
			f := &v.Findings[j]
			f.Category, f.Text = clean.Line(f.Category), clean.Text(f.Text)
		}
	}
	for i := range d.Concerns {
		cleanConcern(&d.Concerns[i])
	}
	for i := range d.Revisits {
		d.Revisits[i].Comment = clean.Text(d.Revisits[i].Comment)
	}
}

// cleanConcern cleans a concern's free text.
func cleanConcern(c *Concern) {
	c.Category, c.Description = clean.Line(c.Category), clean.Text(c.Description)
	c.Plan.Solution, c.Plan.Owner, c.Plan.OwnerNote = clean.Text(c.Plan.Solution), clean.Line(c.Plan.Owner), clean.Line(c.Plan.OwnerNote)
	c.Resolution, c.Supervisor = clean.Text(c.Resolution), clean.Line(c.Supervisor)
	for i := range c.Moves {
		c.Moves[i].Reason = clean.Text(c.Moves[i].Reason)
	}
}

// cleanAll cleans each string of a slice in place.
func cleanAll(ss []string) {
	for i := range ss {
		ss[i] = clean.Line(ss[i])
	}
}
