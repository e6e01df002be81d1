#!/usr/bin/python3
"""Sunset and sunrise for NightTests (tests/Edge.EndToEnd.Tests/NightTests.cs), independent of the repository's sun clock.

PyEphem 4.1.4 (Debian python3-ephem: libastro, VSOP87, apparent topocentric positions), as
tests/Edge.Firmware.Tests/Lighting/reference/generate_sun_reference.py: pressure 0, the sun's centre at horizon
-0:50 (zenith 90.833 deg, the convention docs/sun-clock.md uses), and for information the USNO upper-limb
convention (horizon -0:34, true semidiameter). Run: apt-get install -y python3-ephem && /usr/bin/python3 night_reference.py
The printed values are written into NightTests.cs; the tests never run this script.
"""
import ephem

POINTS = [("sl-port-01", 39.5035, 20.2655), ("sl-plat-01", 39.4546, 20.2719)]
EVENING = "2026/12/16 12:00"  # UTC; the night of 16 to 17 December 2026


def observer(lat, lon, horizon):
    o = ephem.Observer()
    o.lat, o.lon = str(lat), str(lon)
    o.elevation = 0
    o.pressure = 0
    o.horizon = horizon
    o.date = EVENING
    return o


def iso(d):
    return ephem.Date(d).datetime().strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


for name, lat, lon in POINTS:
    centre = observer(lat, lon, "-0:50")
    sunset = centre.next_setting(ephem.Sun(), use_center=True)
    sunrise = centre.next_rising(ephem.Sun(), use_center=True)
    limb = observer(lat, lon, "-0:34")
    print(f'{name}: sunset {iso(sunset)} sunrise {iso(sunrise)} '
          f'(USNO upper limb: {iso(limb.next_setting(ephem.Sun()))} {iso(limb.next_rising(ephem.Sun()))})')
