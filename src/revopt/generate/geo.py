"""Geography for the generator: WGS84 -> RD New, Dutch places, regions, VNG distances.

Coordinates of the instances are metres in EPSG:28992 (RD New). The public
inputs (Natura 2000 centroids, the Rijssen-Holten parks, the places below) are
WGS84 latitude/longitude; :func:`wgs84_to_rd` converts them with the standard
polynomial approximation of Schreutelaar & Strang van Hees ("Benaderingsformules
voor de transformatie tussen RD- en WGS84-kaartcoordinaten", 1999/2001), which is
accurate to about a metre inside the Netherlands (the RD origin, Amersfoort
52.15517440 N 5.38720621 E, maps to x = 155000, y = 463000). No pyproj needed.
"""

from __future__ import annotations

import numpy as np

# Coefficients (p, q, R_pq) for x and (p, q, S_pq) for y: x = 155000 + sum R dphi^p dlam^q.
_RX = ((0, 1, 190094.945), (1, 1, -11832.228), (2, 1, -114.221), (0, 3, -32.391), (1, 0, -0.705),
       (3, 1, -2.340), (1, 3, -0.608), (0, 2, -0.008), (2, 3, 0.148))
_SY = ((1, 0, 309056.544), (0, 2, 3638.893), (2, 0, 73.077), (1, 2, -157.984), (3, 0, 59.788),
       (0, 1, 0.433), (2, 2, -6.439), (1, 1, -0.032), (0, 4, 0.092), (1, 4, -0.054))
_PHI0, _LAM0, _X0, _Y0 = 52.15517440, 5.38720621, 155000.0, 463000.0


def wgs84_to_rd(lat, lon) -> tuple[np.ndarray, np.ndarray]:
    """RD New (EPSG:28992) x, y in metres from WGS84 latitude/longitude in degrees (vectorised)."""
    dphi = 0.36 * (np.asarray(lat, dtype=float) - _PHI0)
    dlam = 0.36 * (np.asarray(lon, dtype=float) - _LAM0)
    x = _X0 + sum(c * dphi ** p * dlam ** q for p, q, c in _RX)
    y = _Y0 + sum(c * dphi ** p * dlam ** q for p, q, c in _SY)
    return x, y


#: VNG *Bedrijven en milieuzonering* (2009): guideline distance (m) from a firm of each
#: category to a quiet residential area (rustige woonwijk) and to a mixed area (gemengd
#: gebied). Same figures as shared/data/vng2009_milieucategorie_richtafstanden.csv.
VNG_DISTANCE_M: dict[str, tuple[float, float]] = {
    "1": (10, 0), "2": (30, 10), "3.1": (50, 30), "3.2": (100, 50), "4.1": (200, 100),
    "4.2": (300, 200), "5.1": (500, 300), "5.2": (700, 500), "5.3": (1000, 700), "6": (1500, 1000),
}


def max_category_index(dist_m: np.ndarray, mixed: np.ndarray) -> np.ndarray:
    """Index (0..9 in CATEGORIES order) of the heaviest category whose VNG guideline
    distance fits the distance to the nearest housing (quiet residential, or mixed area
    where ``mixed``). Category 1 (10 m / 0 m) is the floor."""
    quiet = np.array([v[0] for v in VNG_DISTANCE_M.values()])
    mix = np.array([v[1] for v in VNG_DISTANCE_M.values()])
    d = np.asarray(dist_m, dtype=float)
    iq = np.searchsorted(quiet, d, side="right") - 1
    im = np.searchsorted(mix, d, side="right") - 1
    return np.clip(np.where(mixed, im, iq), 0, len(quiet) - 1)


# ----------------------------------------------------------------------------- places
# Real places (approximate WGS84 town centres, or the centre of a port/industrial area)
# that anchor the synthetic business parks: (name, lat, lon, province, COROP-like region,
# weight, waterfront). weight: relative number of parks around the place; waterfront:
# place with sea/inland ports (its parks are more often 'haven' parks with quays).
PLACES: tuple[tuple[str, float, float, str, str, float, bool], ...] = (
    # Groningen
    ("Groningen", 53.219, 6.567, "Groningen", "Overig Groningen", 3.0, True),
    ("Delfzijl", 53.330, 6.918, "Groningen", "Delfzijl en omgeving", 1.0, True),
    ("Eemshaven", 53.440, 6.830, "Groningen", "Delfzijl en omgeving", 0.6, True),
    ("Veendam", 53.107, 6.877, "Groningen", "Oost-Groningen", 1.2, True),
    ("Hoogezand", 53.161, 6.761, "Groningen", "Oost-Groningen", 1.0, True),
    # Friesland
    ("Leeuwarden", 53.201, 5.799, "Fryslan", "Noord-Friesland", 2.5, False),
    ("Heerenveen", 52.960, 5.921, "Fryslan", "Zuidoost-Friesland", 1.5, False),
    ("Drachten", 53.105, 6.099, "Fryslan", "Zuidoost-Friesland", 1.5, False),
    ("Sneek", 53.033, 5.660, "Fryslan", "Zuidwest-Friesland", 1.2, True),
    ("Harlingen", 53.175, 5.421, "Fryslan", "Noord-Friesland", 0.6, True),
    # Drenthe
    ("Assen", 52.993, 6.562, "Drenthe", "Noord-Drenthe", 1.5, False),
    ("Emmen", 52.785, 6.897, "Drenthe", "Zuidoost-Drenthe", 2.0, False),
    ("Hoogeveen", 52.723, 6.476, "Drenthe", "Zuidwest-Drenthe", 1.3, False),
    ("Meppel", 52.696, 6.194, "Drenthe", "Zuidwest-Drenthe", 1.0, True),
    ("Coevorden", 52.661, 6.741, "Drenthe", "Zuidoost-Drenthe", 0.8, False),
    # Overijssel
    ("Zwolle", 52.512, 6.094, "Overijssel", "Noord-Overijssel", 3.0, True),
    ("Kampen", 52.555, 5.911, "Overijssel", "Noord-Overijssel", 1.0, True),
    ("Hardenberg", 52.576, 6.619, "Overijssel", "Noord-Overijssel", 1.0, False),
    ("Deventer", 52.255, 6.163, "Overijssel", "Zuidwest-Overijssel", 2.5, True),
    ("Rijssen", 52.307, 6.517, "Overijssel", "Twente", 1.2, False),
    ("Almelo", 52.357, 6.663, "Overijssel", "Twente", 2.0, True),
    ("Hengelo", 52.266, 6.793, "Overijssel", "Twente", 2.2, True),
    ("Enschede", 52.221, 6.894, "Overijssel", "Twente", 2.8, False),
    ("Oldenzaal", 52.313, 6.929, "Overijssel", "Twente", 1.0, False),
    # Flevoland
    ("Almere", 52.370, 5.222, "Flevoland", "Flevoland", 2.2, False),
    ("Lelystad", 52.518, 5.471, "Flevoland", "Flevoland", 1.5, True),
    ("Emmeloord", 52.710, 5.748, "Flevoland", "Flevoland", 1.0, False),
    ("Zeewolde", 52.330, 5.541, "Flevoland", "Flevoland", 0.6, False),
    # Gelderland
    ("Arnhem", 51.985, 5.899, "Gelderland", "Arnhem/Nijmegen", 2.8, True),
    ("Nijmegen", 51.842, 5.853, "Gelderland", "Arnhem/Nijmegen", 2.8, True),
    ("Apeldoorn", 52.211, 5.969, "Gelderland", "Veluwe", 2.5, False),
    ("Ede", 52.040, 5.665, "Gelderland", "Veluwe", 1.8, False),
    ("Harderwijk", 52.342, 5.621, "Gelderland", "Veluwe", 1.2, False),
    ("Doetinchem", 51.965, 6.289, "Gelderland", "Achterhoek", 1.8, False),
    ("Winterswijk", 51.972, 6.719, "Gelderland", "Achterhoek", 1.0, False),
    ("Zutphen", 52.139, 6.196, "Gelderland", "Achterhoek", 1.0, True),
    ("Tiel", 51.887, 5.430, "Gelderland", "Zuidwest-Gelderland", 1.5, True),
    ("Culemborg", 51.955, 5.227, "Gelderland", "Zuidwest-Gelderland", 1.0, False),
    # Utrecht
    ("Utrecht", 52.091, 5.122, "Utrecht", "Utrecht", 3.5, True),
    ("Amersfoort", 52.156, 5.387, "Utrecht", "Utrecht", 2.2, False),
    ("Veenendaal", 52.028, 5.559, "Utrecht", "Utrecht", 1.3, False),
    ("Nieuwegein", 52.029, 5.081, "Utrecht", "Utrecht", 1.5, True),
    ("Woerden", 52.086, 4.883, "Utrecht", "Utrecht", 1.0, False),
    # Noord-Holland
    ("Amsterdam Westpoort", 52.410, 4.800, "Noord-Holland", "Groot-Amsterdam", 3.5, True),
    ("Amsterdam", 52.370, 4.900, "Noord-Holland", "Groot-Amsterdam", 2.5, False),
    ("Schiphol", 52.310, 4.760, "Noord-Holland", "Groot-Amsterdam", 1.5, False),
    ("Zaandam", 52.439, 4.813, "Noord-Holland", "Zaanstreek", 1.8, True),
    ("Haarlem", 52.381, 4.637, "Noord-Holland", "Agglomeratie Haarlem", 1.5, False),
    ("IJmuiden", 52.459, 4.612, "Noord-Holland", "IJmond", 1.2, True),
    ("Alkmaar", 52.632, 4.748, "Noord-Holland", "Alkmaar en omgeving", 1.8, False),
    ("Hoorn", 52.642, 5.060, "Noord-Holland", "Kop van Noord-Holland", 1.2, False),
    ("Den Helder", 52.958, 4.760, "Noord-Holland", "Kop van Noord-Holland", 0.8, True),
    ("Hilversum", 52.223, 5.176, "Noord-Holland", "Het Gooi en Vechtstreek", 1.0, False),
    # Zuid-Holland
    ("Maasvlakte", 51.955, 4.030, "Zuid-Holland", "Groot-Rijnmond", 1.5, True),
    ("Botlek", 51.880, 4.300, "Zuid-Holland", "Groot-Rijnmond", 2.0, True),
    ("Rotterdam", 51.922, 4.479, "Zuid-Holland", "Groot-Rijnmond", 3.5, True),
    ("Dordrecht", 51.813, 4.690, "Zuid-Holland", "Zuidoost-Zuid-Holland", 2.0, True),
    ("Gorinchem", 51.834, 4.973, "Zuid-Holland", "Zuidoost-Zuid-Holland", 1.0, True),
    ("Den Haag", 52.078, 4.300, "Zuid-Holland", "Agglomeratie 's-Gravenhage", 2.5, False),
    ("Delft", 52.012, 4.359, "Zuid-Holland", "Delft en Westland", 1.3, False),
    ("Westland", 51.991, 4.207, "Zuid-Holland", "Delft en Westland", 1.3, False),
    ("Leiden", 52.160, 4.497, "Zuid-Holland", "Agglomeratie Leiden en Bollenstreek", 1.5, False),
    ("Zoetermeer", 52.060, 4.494, "Zuid-Holland", "Agglomeratie 's-Gravenhage", 1.2, False),
    ("Gouda", 52.012, 4.711, "Zuid-Holland", "Oost-Zuid-Holland", 1.3, False),
    ("Alphen aan den Rijn", 52.129, 4.656, "Zuid-Holland", "Oost-Zuid-Holland", 1.2, True),
    # Zeeland
    ("Vlissingen-Oost", 51.450, 3.680, "Zeeland", "Overig Zeeland", 1.2, True),
    ("Middelburg", 51.499, 3.611, "Zeeland", "Overig Zeeland", 0.8, False),
    ("Goes", 51.504, 3.889, "Zeeland", "Overig Zeeland", 1.0, False),
    ("Terneuzen", 51.336, 3.828, "Zeeland", "Zeeuwsch-Vlaanderen", 1.3, True),
    # Noord-Brabant
    ("Breda", 51.589, 4.776, "Noord-Brabant", "West-Noord-Brabant", 2.5, False),
    ("Roosendaal", 51.531, 4.465, "Noord-Brabant", "West-Noord-Brabant", 1.5, False),
    ("Bergen op Zoom", 51.495, 4.292, "Noord-Brabant", "West-Noord-Brabant", 1.2, True),
    ("Moerdijk", 51.683, 4.600, "Noord-Brabant", "West-Noord-Brabant", 1.5, True),
    ("Oosterhout", 51.645, 4.860, "Noord-Brabant", "West-Noord-Brabant", 1.2, True),
    ("Tilburg", 51.561, 5.091, "Noord-Brabant", "Midden-Noord-Brabant", 3.0, True),
    ("Waalwijk", 51.683, 5.070, "Noord-Brabant", "Midden-Noord-Brabant", 1.5, False),
    ("'s-Hertogenbosch", 51.699, 5.304, "Noord-Brabant", "Noordoost-Noord-Brabant", 2.5, True),
    ("Oss", 51.765, 5.519, "Noord-Brabant", "Noordoost-Noord-Brabant", 1.8, True),
    ("Veghel", 51.617, 5.549, "Noord-Brabant", "Noordoost-Noord-Brabant", 1.5, True),
    ("Eindhoven", 51.441, 5.478, "Noord-Brabant", "Zuidoost-Noord-Brabant", 3.5, False),
    ("Helmond", 51.481, 5.661, "Noord-Brabant", "Zuidoost-Noord-Brabant", 1.8, True),
    # Limburg
    ("Venlo", 51.370, 6.172, "Limburg", "Noord-Limburg", 2.5, True),
    ("Venray", 51.526, 5.975, "Limburg", "Noord-Limburg", 1.2, False),
    ("Roermond", 51.194, 5.987, "Limburg", "Midden-Limburg", 1.5, True),
    ("Weert", 51.252, 5.707, "Limburg", "Midden-Limburg", 1.0, True),
    ("Sittard-Geleen", 50.990, 5.790, "Limburg", "Zuid-Limburg", 1.8, True),
    ("Heerlen", 50.888, 5.979, "Limburg", "Zuid-Limburg", 1.5, False),
    ("Maastricht", 50.851, 5.691, "Limburg", "Zuid-Limburg", 1.5, True),
)

#: Approximate number of business parks per province (IBIS order of magnitude; the
#: national preset scales these to its park count). Assumption, not an exact count.
PROVINCE_PARKS: dict[str, int] = {
    "Noord-Brabant": 560, "Gelderland": 560, "Zuid-Holland": 470, "Noord-Holland": 350,
    "Overijssel": 320, "Limburg": 290, "Fryslan": 240, "Utrecht": 190, "Groningen": 190,
    "Drenthe": 170, "Zeeland": 140, "Flevoland": 90,
}

#: RD New box of the European Netherlands (clip box for synthetic coordinates).
NL_BOX = (10_000.0, 280_000.0, 300_000.0, 620_000.0)


def places(filter_key: str | None = None, value: str | None = None):
    """The place table as numpy arrays (x, y in RD), optionally filtered by province/region/name."""
    rows = list(PLACES)
    if filter_key is not None:
        col = {"name": 0, "province": 3, "region": 4}[filter_key]
        vals = {value} if isinstance(value, str) else set(value)
        rows = [r for r in rows if r[col] in vals]
    if not rows:
        raise ValueError(f"no places with {filter_key} = {value!r}")
    x, y = wgs84_to_rd([r[1] for r in rows], [r[2] for r in rows])
    return {
        "name": np.array([r[0] for r in rows], dtype=object),
        "x": np.asarray(x), "y": np.asarray(y),
        "province": np.array([r[3] for r in rows], dtype=object),
        "region": np.array([r[4] for r in rows], dtype=object),
        "weight": np.array([r[5] for r in rows], dtype=float),
        "waterfront": np.array([r[6] for r in rows], dtype=bool),
    }


def natura2000(xmin: float = -np.inf, xmax: float = np.inf, ymin: float = -np.inf,
               ymax: float = np.inf):
    """The real Natura 2000 sites (name, x, y in RD, area_ha) inside a box."""
    from .natura2000 import SITES

    lat = np.array([s[1] for s in SITES])
    lon = np.array([s[2] for s in SITES])
    x, y = wgs84_to_rd(lat, lon)
    keep = (x >= xmin) & (x <= xmax) & (y >= ymin) & (y <= ymax)
    return {
        "name": np.array([s[0] for s in SITES], dtype=object)[keep],
        "x": x[keep], "y": y[keep],
        "area_ha": np.array([s[3] for s in SITES])[keep],
    }
