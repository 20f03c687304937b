"""A synthetic Swedish corpus at any size, made from the real passages, for the scale benchmarks.

Text: each synthetic passage recombines 3-6 real sentences (a run from one real passage,
sometimes with a sentence of another), with the numbers varied and the place names
swapped for other Swedish municipalities, so BM25 sees a realistic Swedish vocabulary,
document-frequency spread and passage length. Every 20 passages form a document that
shares its title, place, publisher and date, as the passages of a real document do.

Vectors: embedding 100,000 passages with the real model would take hours on this
machine, so each vector is synthesised from the real passage vectors: the vector of the
passage the sentences came from, plus a share of the other passage's vector, plus
Gaussian noise, normalised. The vectors therefore cluster as real ones do (many passages
near each topic), which is what the HNSW index's speed depends on.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np

MUNICIPALITIES = """
Ale Alingsås Alvesta Aneby Arboga Arjeplog Arvidsjaur Arvika Askersund Avesta Bengtsfors Berg Bjurholm Bjuv
Boden Bollebygd Bollnäs Borgholm Borlänge Borås Botkyrka Boxholm Bromölla Bräcke Burlöv Båstad Dals-Ed
Danderyd Degerfors Dorotea Eda Ekerö Eksjö Emmaboda Enköping Eskilstuna Eslöv Essunga Fagersta Falkenberg
Falköping Falun Filipstad Finspång Flen Forshaga Färgelanda Gagnef Gislaved Gnesta Gnosjö Gotland Grums
Grästorp Gullspång Gällivare Gävle Göteborg Götene Habo Hagfors Hallsberg Hallstahammar Halmstad Hammarö
Haninge Haparanda Heby Hedemora Helsingborg Herrljunga Hjo Hofors Huddinge Hudiksvall Hultsfred Hylte
Håbo Hällefors Härjedalen Härnösand Härryda Hässleholm Höganäs Högsby Hörby Höör Jokkmokk Järfälla
Jönköping Kalix Kalmar Karlsborg Karlshamn Karlskoga Karlskrona Karlstad Katrineholm Kil Kinda Kiruna
Klippan Knivsta Kramfors Kristianstad Kristinehamn Krokom Kumla Kungsbacka Kungsör Kungälv Kävlinge
Köping Laholm Landskrona Laxå Lekeberg Leksand Lerum Lessebo Lidingö Lidköping Lilla Edet Lindesberg
Linköping Ljungby Ljusdal Ljusnarsberg Lomma Ludvika Luleå Lund Lycksele Lysekil Malmö Malung-Sälen Malå
Mariestad Mark Markaryd Mellerud Mjölby Mora Motala Mullsjö Munkedal Munkfors Mölndal Mönsterås Mörbylånga
Nacka Nora Norberg Nordanstig Nordmaling Norrköping Norrtälje Norsjö Nybro Nykvarn Nyköping Nynäshamn
Nässjö Ockelbo Olofström Orsa Orust Osby Oskarshamn Ovanåker Oxelösund Pajala Partille Perstorp Piteå
Ragunda Robertsfors Ronneby Rättvik Sala Salem Sandviken Sigtuna Simrishamn Sjöbo Skara Skellefteå
Skinnskatteberg Skurup Skövde Smedjebacken Sollefteå Sollentuna Solna Sorsele Sotenäs Staffanstorp
Stenungsund Stockholm Storfors Storuman Strängnäs Strömstad Strömsund Sundbyberg Sundsvall Sunne Surahammar
Svalöv Svedala Svenljunga Säffle Säter Sävsjö Söderhamn Söderköping Södertälje Sölvesborg Tanum Tibro
Tidaholm Tierp Timrå Tingsryd Tjörn Tomelilla Torsby Torsås Tranemo Tranås Trelleborg Trollhättan Trosa
Tyresö Täby Töreboda Uddevalla Ulricehamn Umeå Upplands-Bro Uppsala Uppvidinge Vadstena Vaggeryd Valdemarsvik
Vallentuna Vansbro Vara Varberg Vaxholm Vellinge Vetlanda Vilhelmina Vimmerby Vindeln Vingåker Vårgårda
Vänersborg Vännäs Värmdö Värnamo Västervik Västerås Växjö Ydre Ystad Åmål Ånge Åre Årjäng Åsele Åstorp
Åtvidaberg Älmhult Älvdalen Älvkarleby Älvsbyn Ängelholm Öckerö Ödeshög Örebro Örkelljunga Örnsköldsvik
Östersund Österåker Östhammar Östra Göinge Överkalix Övertorneå
""".split()

LAN = """Blekinge Dalarna Gotland Gävleborg Halland Jämtland Jönköping Kalmar Kronoberg Norrbotten Skåne
Stockholm Södermanland Uppsala Värmland Västerbotten Västernorrland Västmanland Västra-Götaland Örebro Östergötland""".split()

PER_DOCUMENT = 20  # synthetic passages per synthetic document


def _sentences(text: str) -> list[str]:
    from assistant.swedish import sentences_of, words

    return [s.text for s in sentences_of(text) if len(words(s.text)) >= 3]


def _place_pattern(passages) -> re.Pattern:
    names = {p.kommun for p in passages if p.kommun} | {p.lan for p in passages if p.lan}
    names |= {"Norberg", "Mjölby", "Hallstahammar", "Västmanland", "Östergötland"}
    stems = sorted({n for n in names if len(n) >= 4}, key=len, reverse=True)
    # A place name and its genitive/adjective forms (Norbergs, Mjölbys).
    return re.compile(r"\b(" + "|".join(map(re.escape, stems)) + r")(s?)\b")


class Generator:
    """Deterministic (seeded) synthetic passages and vectors from real ones."""

    def __init__(self, passages, vectors: np.ndarray, seed: int = 8):
        if len(passages) != len(vectors):
            raise ValueError("one vector per real passage")
        self.real = passages
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self.sentences = [_sentences(p.text) or [p.text] for p in passages]
        self.places = _place_pattern(passages)
        self.rng = np.random.default_rng(seed)
        self._documents: dict[int, dict] = {}

    def _vary(self, text: str, place: str) -> str:
        rng = self.rng

        def number(m: re.Match) -> str:
            digits = m.group(0)
            if len(digits) == 4 and digits[:2] in ("19", "20"):
                return str(rng.integers(1994, 2026))
            low = 10 ** (len(digits) - 1) if len(digits) > 1 else 1
            return str(rng.integers(low, 10 ** len(digits)))

        text = re.sub(r"\d+", number, text)
        return self.places.sub(lambda m: place + m.group(2), text)

    def passages(self, start: int, stop: int):
        """Synthetic passages number start..stop-1 and their vectors (row i = passage start+i)."""
        from assistant.types import Passage

        rng = self.rng
        n_real = len(self.real)
        out, vecs = [], np.empty((stop - start, self.vectors.shape[1]), dtype=np.float32)
        for row, i in enumerate(range(start, stop)):
            base = int(rng.integers(n_real))
            sents = self.sentences[base]
            k = int(rng.integers(3, 7))
            first = int(rng.integers(max(1, len(sents) - k + 1)))
            chosen = sents[first : first + k]
            other = None
            if rng.random() < 0.5:
                other = int(rng.integers(n_real))
                extra = self.sentences[other][int(rng.integers(len(self.sentences[other])))]
                chosen = chosen + [extra] if rng.random() < 0.5 else [extra] + chosen
            doc = i // PER_DOCUMENT
            if doc not in self._documents:  # what the passages of one document share, as in a real corpus
                place = MUNICIPALITIES[int(rng.integers(len(MUNICIPALITIES)))]
                src = self.real[base]
                self._documents = {doc: {
                    "place": place,
                    "kind": src.kind,
                    "title": self._vary(src.title, place),
                    "date": f"{int(rng.integers(2015, 2026))}-{int(rng.integers(1, 13)):02d}",
                    "lan": LAN[int(rng.integers(len(LAN)))],
                }}
            d = self._documents[doc]
            heading = self.real[base].heading
            out.append(
                Passage(
                    passage_id=f"syn-{doc:06d}:{i:08d}",
                    doc_id=f"syn-{doc:06d}",
                    source=f"syntetisk/{doc:06d}.md",
                    title=d["title"],
                    text=self._vary(" ".join(chosen), d["place"]),
                    heading=self._vary(heading, d["place"]) if heading else "",
                    publisher=f"{d['place']} kommun",
                    date=d["date"],
                    kind=d["kind"],
                    kommun=d["place"],
                    lan=d["lan"],
                    position=i % PER_DOCUMENT,
                )
            )
            v = self.vectors[base].copy()
            if other is not None:
                v += 0.35 * self.vectors[other]
            v += rng.normal(0.0, 0.02, size=v.shape).astype(np.float32)
            vecs[row] = v / np.linalg.norm(v)
        return out, vecs


class SyntheticStore:
    """A real Chroma collection (PersistentClient) and a real bm25s index (LexicalIndex.build)
    in ``settings.data_dir``, grown in stages (1k, then 10k, then 100k passages)."""

    def __init__(self, settings, generator: Generator, batch: int = 5000):
        from assistant.index import chroma_client

        self.settings = settings
        self.gen = generator
        self.client = chroma_client(settings)
        self.collection = self.client.get_or_create_collection(
            settings.collection, embedding_function=None, metadata={"hnsw:space": "cosine"}
        )
        self.batch = min(batch, self.client.get_max_batch_size())
        self.passages: list = []
        self.vectors: list[np.ndarray] = []

    def grow(self, size: int, log) -> dict:
        from assistant.index import LexicalIndex, _set_store_fingerprint, fingerprint, to_langchain

        timings = {"generate_s": 0.0, "chroma_add_s": 0.0}
        while len(self.passages) < size:
            start = len(self.passages)
            stop = min(size, start + self.batch)
            t0 = time.perf_counter()
            passages, vecs = self.gen.passages(start, stop)
            t1 = time.perf_counter()
            docs = [to_langchain(p) for p in passages]
            self.collection.add(
                ids=[p.passage_id for p in passages],
                embeddings=vecs,
                metadatas=[d.metadata for d in docs],
                documents=[d.page_content for d in docs],
            )
            t2 = time.perf_counter()
            timings["generate_s"] += t1 - t0
            timings["chroma_add_s"] += t2 - t1
            self.passages.extend(passages)
            self.vectors.append(vecs)
            if stop % 20000 == 0 or stop == size:
                log(f"  synthetic store: {stop} passages")
        t0 = time.perf_counter()
        lexical = LexicalIndex.build(self.passages)
        t1 = time.perf_counter()
        fp = fingerprint(self.passages)
        lexical.save(self.settings.lexical_dir, fp)
        _set_store_fingerprint(self.collection, fp)
        t2 = time.perf_counter()
        timings["bm25_build_s"] = t1 - t0
        timings["bm25_save_s"] = t2 - t1
        return {k: round(v, 2) for k, v in timings.items()}

    def disk_mb(self) -> float:
        total = sum(f.stat().st_size for f in Path(self.settings.data_dir).rglob("*") if f.is_file())
        return round(total / 1024**2, 1)
