package wsproxy

import (
	"bytes"
	"errors"
	"net"
	"testing"
	"time"
)

// discardConn swallows the proxy's replies (pongs, close frames).
type discardConn struct{ net.Conn }

func (discardConn) Write(p []byte) (int, error)      { return len(p), nil }
func (discardConn) SetWriteDeadline(time.Time) error { return nil }

func newTestReader() *frameReader {
	return &frameReader{w: &frameWriter{conn: discardConn{}}}
}

// clientFrame encodes one masked frame as a browser sends it.
func clientFrame(op byte, fin bool, payload []byte, key [4]byte) []byte {
	var hb [10]byte
	h := frameHeader(&hb, op, len(payload))
	if !fin {
		h[0] &^= 0x80
	}
	h[1] |= 0x80
	out := append(append([]byte{}, h...), key[:]...)
	for i, c := range payload {
		out = append(out, c^key[i&3])
	}
	return out
}

// feed runs stream through a reader in chunks of the given sizes (cycled).
func feed(r *frameReader, stream []byte, sizes []int) ([]byte, error) {
	var got []byte
	for i, k := 0, 0; i < len(stream); k++ {
		n := 1
		if len(sizes) > 0 {
			n = sizes[k%len(sizes)]%4096 + 1
		}
		n = min(n, len(stream)-i)
		chunk := append([]byte(nil), stream[i:i+n]...)
		m, err := r.process(chunk)
		got = append(got, chunk[:m]...)
		if err != nil {
			return got, err
		}
		i += n
	}
	return got, nil
}

func TestFrameReaderStreamsPayload(t *testing.T) {
	payload := bytes.Repeat([]byte("0123456789abcdef"), 10000)
	var stream []byte
	// A whole message, a fragmented one with a ping in between, an empty frame, a long one.
	stream = append(stream, clientFrame(opBinary, true, payload[:100], [4]byte{1, 2, 3, 4})...)
	stream = append(stream, clientFrame(opBinary, false, payload[100:300], [4]byte{9, 8, 7, 6})...)
	stream = append(stream, clientFrame(opPing, true, []byte("hi"), [4]byte{5, 5, 5, 5})...)
	stream = append(stream, clientFrame(opContinuation, true, payload[300:70000], [4]byte{0xff, 0, 0xff, 0})...)
	stream = append(stream, clientFrame(opBinary, true, nil, [4]byte{1, 1, 1, 1})...)
	stream = append(stream, clientFrame(opBinary, true, payload[70000:], [4]byte{7, 7, 7, 7})...)
	for _, sizes := range [][]int{nil, {3}, {7, 1, 100}, {4095}, {1 << 20}} {
		got, err := feed(newTestReader(), stream, sizes)
		if err != nil || !bytes.Equal(got, payload) {
			t.Fatalf("chunks %v: %d bytes, err %v", sizes, len(got), err)
		}
	}
	// A close frame ends the stream.
	close := clientFrame(opClose, true, []byte{0x03, 0xe8}, [4]byte{1, 2, 3, 4})
	if _, err := feed(newTestReader(), close, nil); !errors.Is(err, errPeerClosed) {
		t.Fatalf("close: %v", err)
	}
}

func TestFrameReaderRefuses(t *testing.T) {
	key := [4]byte{1, 2, 3, 4}
	unmasked := clientFrame(opBinary, true, []byte("x"), key)
	unmasked[1] &^= 0x80
	cases := map[string]struct {
		stream []byte
		code   int
	}{
		"unmasked":                {unmasked[:len(unmasked)-4], 1002},
		"text":                    {clientFrame(opText, true, []byte("hi"), key), 1003},
		"reserved bits":           {append([]byte{0xC2}, clientFrame(opBinary, true, []byte("x"), key)[1:]...), 1002},
		"bad opcode":              {clientFrame(0x3, true, nil, key), 1002},
		"long control":            {clientFrame(opPing, true, make([]byte, 126), key), 1002},
		"fragmented control":      {clientFrame(opPing, false, nil, key), 1002},
		"stray continuation":      {clientFrame(opContinuation, true, []byte("x"), key), 1002},
		"message too big":         {clientFrame(opBinary, true, make([]byte, maxMessage+1), key), 1009},
		"too big over fragments":  {append(clientFrame(opBinary, false, make([]byte, maxMessage), key), clientFrame(opContinuation, true, []byte("x"), key)...), 1009},
		"interleaved new message": {append(clientFrame(opBinary, false, []byte("x"), key), clientFrame(opBinary, true, []byte("y"), key)...), 1002},
	}
	for name, tc := range cases {
		_, err := feed(newTestReader(), tc.stream, []int{1000})
		var pe *protocolError
		if !errors.As(err, &pe) || pe.code != tc.code {
			t.Errorf("%s: %v, want close code %d", name, err, tc.code)
		}
	}
}

func FuzzFrameReader(f *testing.F) {
	f.Add(clientFrame(opBinary, true, []byte("hello"), [4]byte{1, 2, 3, 4}), []byte{3, 1})
	f.Add(append(clientFrame(opBinary, false, []byte("he"), [4]byte{1, 2, 3, 4}), clientFrame(opContinuation, true, []byte("llo"), [4]byte{4, 3, 2, 1})...), []byte{1})
	f.Add([]byte{0x82, 0xfe, 0xff, 0xff}, []byte{2})
	f.Fuzz(func(t *testing.T, stream, sizes []byte) {
		s := make([]int, len(sizes))
		for i, b := range sizes {
			s[i] = int(b)
		}
		got, err := feed(newTestReader(), stream, s)
		if len(got) > len(stream) {
			t.Fatalf("more payload (%d) than input (%d)", len(got), len(stream))
		}
		// However the stream is cut, the payload is the same.
		whole, err2 := feed(newTestReader(), stream, []int{1 << 20})
		if (err == nil) != (err2 == nil) || !bytes.Equal(got, whole) {
			t.Fatalf("chunking changed the result: %q/%v vs %q/%v", got, err, whole, err2)
		}
	})
}

func TestUnmaskMatchesBytewise(t *testing.T) {
	key := [4]byte{0x11, 0x22, 0x33, 0x44}
	for n := 0; n < 100; n++ {
		for pos := 0; pos < 4; pos++ {
			src := make([]byte, n)
			for i := range src {
				src[i] = byte(i * 7)
			}
			want := make([]byte, n)
			for i := range src {
				want[i] = src[i] ^ key[(pos+i)&3]
			}
			got := make([]byte, n)
			if next := unmask(key, pos, got, src); next != (pos+n)&3 || !bytes.Equal(got, want) {
				t.Fatalf("n %d pos %d: wrong", n, pos)
			}
		}
	}
}

func BenchmarkUnmask(b *testing.B) {
	buf := make([]byte, 128<<10)
	b.SetBytes(int64(len(buf)))
	for i := 0; i < b.N; i++ {
		unmask([4]byte{1, 2, 3, 4}, 1, buf, buf)
	}
}
