"""Real recorded Easee payloads, each with its public source (repository, path, commit).

Personal data was not in these recordings except where noted and removed; values are
byte-for-byte what the sources hold (JSON re-serialized compactly where marked).
"""

from __future__ import annotations

import json
from typing import Any

# nordicopen/pyeasee@43f04c3 tests/fixtures/token.json (re-serialized compactly)
TOKEN: Any = json.loads(
    '{"accessToken":"sometoken1234","expiresIn":86400.0,"accessClaims":["User"],"tokenType":"Be'
    'arer"'
    ',"refreshToken":"arefreshtoken1234"}'
)

# nordicopen/pyeasee@43f04c3 tests/fixtures/chargers.json (re-serialized compactly)
CHARGERS: Any = json.loads(
    '[{"id":"EH12345","name":"Easee Home 12345","color":1,"createdOn":"2020-07-18T19:12:53.385Z'
    '","up'
    'datedOn":"2020-07-18T19:12:53.385Z","backPlate":{"id":"backPlateId","masterBackPlateId":"m'
    "aster"
    'BackPlateId"},"levelOfAccess":1,"productCode":1,"userRole":1}]'
)

# nordicopen/pyeasee@43f04c3 tests/fixtures/charger-state.json (re-serialized compactly)
CHARGER_STATE: Any = json.loads(
    '{"smartCharging":false,"cableLocked":true,"chargerOpMode":2,"totalPower":0.0,"sessionEnerg'
    'y":5.'
    '395103454589844,"energyPerHour":0.0,"wiFiRSSI":-79,"cellRSSI":-73,"localRSSI":null,"output'
    "Phase"
    '":30,"dynamicCircuitCurrentP1":40.0,"dynamicCircuitCurrentP2":40.0,"dynamicCircuitCurrentP'
    '3":40'
    '.0,"latestPulse":"2020-07-18T20:01:16Z","chargerFirmware":230,"latestFirmware":230,"voltag'
    'e":24'
    '0.7689971923828,"chargerRAT":1,"lockCablePermanently":false,"inCurrentT2":0.01899999938905'
    '239,"'
    'inCurrentT3":0.009999999776482582,"inCurrentT4":0.009999999776482582,"inCurrentT5":0.01400'
    "00004"
    '32133675,"outputCurrent":16.0,"isOnline":true,"inVoltageT1T2":3.063999891281128,"inVoltage'
    'T1T3"'
    ':240.42799377441406,"inVoltageT1T4":234.05999755859375,"inVoltageT1T5":231.5229949951172,"'
    "inVol"
    'tageT2T3":240.7689971923828,"inVoltageT2T4":236.59300231933594,"inVoltageT2T5":228.7830047'
    "60742"
    '2,"inVoltageT3T4":405.2619934082031,"inVoltageT3T5":411.0889892578125,"inVoltageT4T5":406.'
    "25900"
    '26855469,"ledMode":23,"cableRating":20000.0,"dynamicChargerCurrent":32.0,"circuitTotalAllo'
    "cated"
    'PhaseConductorCurrentL1":null,"circuitTotalAllocatedPhaseConductorCurrentL2":null,"circuit'
    "Total"
    'AllocatedPhaseConductorCurrentL3":null,"circuitTotalPhaseConductorCurrentL1":0.00999999977'
    "64825"
    '82,"circuitTotalPhaseConductorCurrentL2":0.009999999776482582,"circuitTotalPhaseConductorC'
    "urren"
    'tL3":0.013000000268220901,"reasonForNoCurrent":0,"wiFiAPEnabled":false}'
)

# nordicopen/pyeasee@43f04c3 tests/fixtures/site-state.json,
# circuitStates[0].chargerStates[0].chargerState
SITE_CHARGER_STATE: Any = json.loads(
    '{"smartCharging":false,"cableLocked":false,"chargerOpMode":1,"totalPower":0,"sessionEnergy'
    '":4.3'
    '4719800949097,"energyPerHour":0,"wiFiRSSI":-51,"cellRSSI":-68,"localRSSI":null,"outputPhas'
    'e":0,'
    '"dynamicCircuitCurrentP1":40,"dynamicCircuitCurrentP2":40,"dynamicCircuitCurrentP3":40,"la'
    "testP"
    'ulse":"2020-10-01T08:30:55Z","chargerFirmware":230,"latestFirmware":240,"voltage":239.75,"'
    "charg"
    'erRAT":1,"lockCablePermanently":false,"inCurrentT2":0,"inCurrentT3":0,"inCurrentT4":0,"inC'
    "urren"
    'tT5":0,"outputCurrent":0,"isOnline":true,"inVoltageT1T2":3.065999984741211,"inVoltageT1T3"'
    ":239."
    '41700744628906,"inVoltageT1T4":234.70700073242188,"inVoltageT1T5":231.13099670410156,"inVo'
    "ltage"
    'T2T3":239.75,"inVoltageT2T4":237.23899841308594,"inVoltageT2T5":228.4029998779297,"inVolta'
    "geT3T"
    '4":405.15301513671875,"inVoltageT3T5":410.27398681640625,"inVoltageT4T5":405.8890075683594'
    ',"led'
    'Mode":18,"cableRating":20000,"dynamicChargerCurrent":32,"circuitTotalAllocatedPhaseConduct'
    "orCur"
    'rentL1":null,"circuitTotalAllocatedPhaseConductorCurrentL2":null,"circuitTotalAllocatedPha'
    "seCon"
    'ductorCurrentL3":null,"circuitTotalPhaseConductorCurrentL1":null,"circuitTotalPhaseConduct'
    "orCur"
    'rentL2":null,"circuitTotalPhaseConductorCurrentL3":null,"reasonForNoCurrent":null,"wiFiAPE'
    "nable"
    'd":false}'
)

# the same file, chargerStates[0].chargerConfig (its wiFiSSID is the fixture's placeholder)
SITE_CHARGER_CONFIG: Any = json.loads(
    '{"isEnabled":true,"lockCablePermanently":false,"authorizationRequired":false,"remoteStartR'
    "equir"
    'ed":true,"smartButtonEnabled":false,"wiFiSSID":"wifi ssid","detectedPowerGridType":1,"offl'
    "ineCh"
    'argingMode":0,"circuitMaxCurrentP1":16,"circuitMaxCurrentP2":16,"circuitMaxCurrentP3":16,"'
    "enabl"
    'eIdleCurrent":false,"limitToSinglePhaseCharging":null,"phaseMode":2,"localNodeType":1,"loc'
    "alAut"
    'horizationRequired":false,"localRadioChannel":6,"localShortAddress":0,"localParentAddrOrNu'
    "mOfNo"
    'des":0,"localPreAuthorizeEnabled":true,"localAuthorizeOfflineEnabled":true,"allowOfflineTx'
    "ForUn"
    'knownId":true,"maxChargerCurrent":32,"ledStripBrightness":null}'
)

# anycharge-io/easee-rs@7fc6c0a src/requests/get_charger_sessions.rs, test `deserialize_session`:
# a 2023 history item (with vatPercentage and currency, without chargerId).
HISTORY_2023 = json.loads(
    """
 {
    "carConnected": "2023-01-20T19:31:46Z",
    "carDisconnected": "2023-01-20T19:35:28Z",
    "kiloWattHours": 0.581242,
    "pricePerKwhExcludingVat": 0.0,
    "pricePrKwhIncludingVat": 0.0,
    "costExcludingVat": 0.0,
    "costIncludingVat": 0.0,
    "vatPercentage": null,
    "currency": null,
    "actualDurationSeconds": 215,
    "firstEnergyTransferPeriodStarted": "2023-01-20T19:31:50+00:00",
    "lastEnergyTransferPeriodEnd": "2023-01-20T19:35:25+00:00",
    "id": 4
  }
"""
)

# anycharge-io/easee-rs@7fc6c0a src/models/charger_session.rs, test `deserialize_failing_1`:
# a 2024 history answer whose second item lacks actualDurationSeconds and the transfer times.
HISTORY_2024_WITHOUT_DURATION = json.loads(
    """
[
  {
    "carConnected": "2024-04-29T21:08:15Z",
    "carDisconnected": "2024-04-30T16:24:29Z",
    "kiloWattHours": 7.544205,
    "pricePerKwhExcludingVat": 0,
    "pricePrKwhIncludingVat": 0,
    "costExcludingVat": 0,
    "costIncludingVat": 0,
    "actualDurationSeconds": 3924,
    "firstEnergyTransferPeriodStarted": "2024-04-29T21:08:18+00:00",
    "lastEnergyTransferPeriodEnd": "2024-04-29T22:13:42+00:00",
    "id": 191,
    "isComplete": true
  },
  {
    "carConnected": "2024-04-30T22:55:54Z",
    "carDisconnected": "2024-05-01T11:48:45Z",
    "kiloWattHours": 6.602936,
    "pricePerKwhExcludingVat": 0,
    "pricePrKwhIncludingVat": 0,
    "costExcludingVat": 0,
    "costIncludingVat": 0,
    "id": 192,
    "isComplete": true
  }
]
"""
)

# anycharge-io/easee-rs@7fc6c0a src/models/charger_session.rs, test `deserialize_failing_2`:
# `GET /api/chargers/{id}/sessions/ongoing`, the other schema (session 193 while plugged in).
ONGOING_193 = json.loads(
    """
{
  "chargerId": "EC3VJ7GU",
  "sessionEnergy": 2.454530715942383,
  "sessionStart": "2024-05-01T15:55:38Z",
  "sessionEnd": "2024-05-01T16:24:49Z",
  "sessionId": 193,
  "chargeDurationInSeconds": 1748,
  "firstEnergyTransferPeriodStart": "2024-05-01T15:55:41Z",
  "lastEnergyTransferPeriodEnd": "2024-05-01T16:24:49Z",
  "pricePrKwhIncludingVat": 0,
  "pricePerKwhExcludingVat": 0,
  "costIncludingVat": 0,
  "costExcludingVat": 0
}
"""
)

# anycharge-io/easee-rs@7fc6c0a test_data/failing_sessions.json, its first two items
# (a real 2024 answer: chargerId, isComplete, authUser; the first without a duration)
HISTORY_2024: Any = json.loads(
    '[{"carConnected":"2024-04-30T22:55:54Z","carDisconnected":"2024-05-01T11:48:45Z","kiloWatt'
    "Hours"
    '":6.602936,"pricePerKwhExcludingVat":0,"pricePrKwhIncludingVat":0,"costExcludingVat":0,"co'
    "stInc"
    'ludingVat":0,"id":192,"chargerId":"EC3VJ7GU","isComplete":true,"authUser":265514},{"carCon'
    "necte"
    'd":"2024-05-01T15:55:38Z","carDisconnected":"2024-05-02T16:54:09Z","kiloWattHours":3.26462'
    '7,"pr'
    'icePerKwhExcludingVat":0,"pricePrKwhIncludingVat":0,"costExcludingVat":0,"costIncludingVat'
    '":0,"'
    'actualDurationSeconds":1748,"firstEnergyTransferPeriodStarted":"2024-05-01T15:55:41+00:00"'
    ',"las'
    'tEnergyTransferPeriodEnd":"2024-05-01T16:24:49+00:00","id":193,"chargerId":"EC3VJ7GU","isC'
    "omple"
    'te":true,"authUser":265514}]'
)

# evcc-io/evcc#8511 (https://github.com/evcc-io/evcc/issues/8511): an expired refresh token.
REFRESH_EXPIRED = json.loads(
    '{"errorCode":105,"errorCodeName":"RefreshTokenExpired","type":null,"title":"Refresh token '
    'expired","status":401,"detail":"[Empty in production]","instance":null,"extensions":{}}'
)
