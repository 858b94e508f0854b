import socket, threading, sys, json
lp, tp, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(('127.0.0.1', lp)); ls.listen(1)
c, _ = ls.accept()
s = socket.create_connection(('127.0.0.1', tp))
data = {'c2s': b'', 's2c': b''}
def pump(a, b, k):
    while True:
        try: d = a.recv(65536)
        except OSError: d = b''
        if not d:
            try: b.shutdown(socket.SHUT_WR)
            except OSError: pass
            return
        data[k] += d; b.sendall(d)
t1 = threading.Thread(target=pump, args=(c, s, 'c2s')); t2 = threading.Thread(target=pump, args=(s, c, 's2c'))
t1.start(); t2.start(); t1.join(); t2.join()
json.dump({k: v.hex() for k, v in data.items()}, open(out, 'w'))
