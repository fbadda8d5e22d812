// Package transfer moves files between clients and the store for the API
// and the web UI alike: uploads (spooled to disk, counted against their
// limit), evidence downloads (checked chunk by chunk against the hashes
// the audit trail keeps), report streaming and exports of target objects.
package transfer
