"""A recording UDP relay for one DTLS client: datagrams from the client go to the server
and back; every datagram is logged with its direction. Stops after 4 idle seconds."""
import json, socket, sys, select
lp, tp, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); front.bind(('127.0.0.1', lp))
back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); back.connect(('127.0.0.1', tp))
client, log = None, []
while True:
    r, _, _ = select.select([front, back], [], [], 4.0)
    if not r:
        break
    for s in r:
        if s is front:
            d, client = front.recvfrom(65536); back.send(d); log.append(('c2s', d.hex()))
        else:
            d = back.recv(65536)
            if client: front.sendto(d, client)
            log.append(('s2c', d.hex()))
json.dump(log, open(out, 'w'))
