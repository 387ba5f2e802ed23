package store

import "errors"

// Actor is who is asking: the user's name, role and scope. Every store call takes one, and
// the store itself filters what it returns and refuses what the actor may not change, so a
// pane can never show or touch a row outside its user's villages and grids.
type Actor struct {
	Name    string
	Role    Role
	Village string // set for village and grid roles
	Grid    string // set for the grid role
}

// System returns the actor for local admin commands and seeding: everything, by "system".
func System() Actor { return Actor{Name: "system", Role: RoleTownship} }

// ActorFor returns the actor for a registered user.
func ActorFor(u User) Actor {
	return Actor{Name: u.Name, Role: u.Role, Village: u.Village, Grid: u.Grid}
}

// ErrScope is returned when an actor asks to change something outside their scope or role.
var ErrScope = errors.New("outside your scope")

// CanSee reports whether the actor may read data of this village and grid. An empty grid
// means village-level data, which grid users of that village may read too.
func (a Actor) CanSee(village, grid string) bool {
	switch a.Role {
	case RoleTownship, RoleInspector:
		return true
	case RoleVillage:
		return village == a.Village
	case RoleGrid:
		return village == a.Village && (grid == "" || grid == a.Grid)
	}
	return false
}

// CanChange returns nil when the actor may change data of this village and grid.
func (a Actor) CanChange(village, grid string) error {
	switch a.Role {
	case RoleTownship:
		return nil
	case RoleInspector:
		return outOfScope("readonly")
	case RoleVillage:
		if village == a.Village {
			return nil
		}
	case RoleGrid:
		if village == a.Village && grid == a.Grid {
			return nil
		}
	}
	return outOfScope("scope.outside", village, grid)
}

// villagePrefix returns the key prefix under which this actor's rows of a kind live, and
// whether the actor is limited to one village; rows are keyed kind/village/… so a village
// user's scan never even reads another village's keys.
func (a Actor) villagePrefix(kind string) string {
	if a.Role == RoleVillage || a.Role == RoleGrid {
		return kind + "/" + a.Village + "/"
	}
	return kind + "/"
}
