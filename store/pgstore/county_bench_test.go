package pgstore_test

import (
	"os"
	"testing"
	"time"

	"sanbai/store"
	"sanbai/store/pgstore"
)

// BenchmarkCountyPostgres measures a county-size store in PostgreSQL, made beforehand with
// `sanbai demo --county --store URL` and named by SANBAI_PG_COUNTY (skipped without it): opening
// the store, a township session's first read of every concern, a village's households, and a
// tag change with its commit — on one front end, and the same read while a second front end
// on the database writes.
func BenchmarkCountyPostgres(b *testing.B) {
	url := os.Getenv("SANBAI_PG_COUNTY")
	if url == "" {
		b.Skip("SANBAI_PG_COUNTY is not set")
	}
	start := time.Now()
	st, err := pgstore.Open(b.Context(), url, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	b.Logf("opened in %v", time.Since(start))
	sys := store.System()
	cs, err := st.Concerns(b.Context(), sys)
	if err != nil || len(cs) == 0 {
		b.Fatal(len(cs), err)
	}
	vs, _ := st.Villages(b.Context(), sys)
	b.Run("Concerns", func(b *testing.B) {
		for b.Loop() {
			if _, err := st.Concerns(b.Context(), sys); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("VillageHouseholds", func(b *testing.B) {
		a := store.Actor{Name: "bench", Role: store.RoleVillage, Village: vs[0].Code}
		for b.Loop() {
			if _, err := st.Households(b.Context(), a); err != nil {
				b.Fatal(err)
			}
		}
	})
	tags := store.Tags()
	b.Run("SetTag", func(b *testing.B) {
		i := 0
		for b.Loop() {
			i++
			if _, err := st.SetTag(b.Context(), sys, cs[i%100].ID, tags[i%3]); err != nil {
				b.Fatal(err)
			}
		}
	})
	second, err := pgstore.Open(b.Context(), url, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer second.Close()
	b.Run("SetTagTwoFrontEnds", func(b *testing.B) {
		// Both front ends write at once, taking turns at the database.
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := 0; i < b.N; i++ {
				second.SetTag(b.Context(), sys, cs[100+i%100].ID, tags[i%3])
			}
		}()
		i := 0
		for b.Loop() {
			i++
			if _, err := st.SetTag(b.Context(), sys, cs[i%100].ID, tags[i%3]); err != nil {
				b.Fatal(err)
			}
		}
		<-done
	})
}
