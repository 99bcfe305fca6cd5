#!/usr/bin/env python3
"""Writes the rootfs benchmark image as an OCI layout: 3 gzip layers, about 30,000 files and 500 MB, one
directory of 20,000 entries, some whiteouts. Deterministic (fixed seed), so every run measures the same image.
Usage: make-image.py LAYOUT_DIR"""
import gzip, hashlib, io, json, os, random, sys, tarfile

MTIME = 1700000000
rng = random.Random(20241123)
TEXT = b"".join(b"line %d of a fairly ordinary source file, with words that repeat\n" % i for i in range(4096))


def content(size):
    # About half incompressible, half text: gzip roughly halves it, like real images.
    rand = rng.randbytes(size // 2)
    text = (TEXT * (size // len(TEXT) + 1))[: size - len(rand)]
    return rand + text


class Layer:
    def __init__(self):
        self.buf = io.BytesIO()
        self.tar = tarfile.open(fileobj=self.buf, mode="w", format=tarfile.PAX_FORMAT)
        self.dirs = set()
        self.files = 0
        self.bytes = 0

    def mkdir(self, path):
        parts = path.split("/")
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d and d not in self.dirs:
                self.dirs.add(d)
                info = tarfile.TarInfo(d)
                info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, MTIME
                self.tar.addfile(info)

    def file(self, path, data, mode=0o644):
        self.mkdir(os.path.dirname(path))
        info = tarfile.TarInfo(path)
        info.size, info.mode, info.mtime = len(data), mode, MTIME
        self.tar.addfile(info, io.BytesIO(data))
        self.files += 1
        self.bytes += len(data)

    def whiteout(self, path):
        self.mkdir(os.path.dirname(path))
        info = tarfile.TarInfo(os.path.join(os.path.dirname(path), ".wh." + os.path.basename(path)))
        info.mtime = MTIME
        self.tar.addfile(info, io.BytesIO(b""))

    def finish(self):
        self.tar.close()
        return self.buf.getvalue()


def base_layer():
    layer = Layer()
    for i in range(9000):
        size = int(rng.lognormvariate(9.2, 1.0))  # median ~10 KB
        layer.file("usr/lib/pkg%03d/mod%02d/file%05d.so" % (i % 300, i % 7, i), content(min(size, 400_000)))
    for i in range(20):
        layer.file("opt/data/blob%02d.bin" % i, content(8 << 20))
    return layer


def many_layer():
    layer = Layer()
    for i in range(20000):
        layer.file("srv/many/entry%05d.txt" % i, content(rng.randint(2000, 8000)))
    return layer


def top_layer():
    layer = Layer()
    for i in range(1000):
        layer.file("app/src/module%02d/code%04d.py" % (i % 40, i), content(rng.randint(10_000, 90_000)))
    layer.file("app/model.bin", content(60 << 20))
    for i in range(0, 9000, 90):  # delete 100 files of the base layer
        layer.whiteout("usr/lib/pkg%03d/mod%02d/file%05d.so" % (i % 300, i % 7, i))
    return layer


def blob(layout, data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(layout, "blobs", "sha256", digest), "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}


def main():
    layout = sys.argv[1]
    os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)
    descriptors, diff_ids, files, total = [], [], 0, 0
    for make in (base_layer, many_layer, top_layer):
        layer = make()
        tar = layer.finish()
        files += layer.files
        total += layer.bytes
        diff_ids.append("sha256:" + hashlib.sha256(tar).hexdigest())
        d = blob(layout, gzip.compress(tar, compresslevel=6, mtime=0))
        d["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip"
        descriptors.append(d)
        print("layer %d: %d files, %d MB, %d MB gzip" % (len(descriptors), layer.files, layer.bytes >> 20,
                                                          d["size"] >> 20), file=sys.stderr)
    config = {"architecture": "amd64", "os": "linux", "config": {},
              "rootfs": {"type": "layers", "diff_ids": diff_ids}}
    c = blob(layout, json.dumps(config).encode())
    c["mediaType"] = "application/vnd.oci.image.config.v1+json"
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": c, "layers": descriptors}
    m = blob(layout, json.dumps(manifest).encode())
    m["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
    m["annotations"] = {"org.opencontainers.image.ref.name": "bench"}
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [m]}, f)
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    print("image: %d files, %d MB" % (files, total >> 20), file=sys.stderr)


main()
