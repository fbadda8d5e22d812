package server

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"ismsd/internal/domain"
)

// concurrentClients is the load the issue asks for.
const concurrentClients = 50

// BenchmarkMe compares an authenticated, authorized GET /api/v1/me (session
// lookup, casbin decision, grants query, JSON) with a bare Gin handler,
// both over loopback HTTP with 50 concurrent clients.
//
//	go test ./internal/server -run '^$' -bench Me -benchtime 5s
func BenchmarkMe(b *testing.B) {
	b.Run("authenticated_me", func(b *testing.B) {
		e := newTestEnv(b)
		c := e.loggedIn("bench", domain.Grant{Role: domain.RoleISB})
		var cookie *http.Cookie
		for _, ck := range c.http.Jar.Cookies(mustURL(b, e.url)) {
			cookie = ck
		}
		runLoad(b, e.url+"/api/v1/me", cookie)
	})
	b.Run("bare_gin", func(b *testing.B) {
		gin.SetMode(gin.ReleaseMode)
		eng := gin.New()
		eng.GET("/api/v1/me", func(c *gin.Context) {
			c.JSON(http.StatusOK, gin.H{"id": 1, "username": "bench", "grants": []gin.H{{"role": "isb"}}})
		})
		ts := httptest.NewServer(eng)
		defer ts.Close()
		runLoad(b, ts.URL+"/api/v1/me", nil)
	})
}

func runLoad(b *testing.B, url string, cookie *http.Cookie) {
	tr := &http.Transport{MaxIdleConnsPerHost: concurrentClients, MaxConnsPerHost: concurrentClients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	b.SetParallelism((concurrentClients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if !get(b, client, url, cookie) {
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}
