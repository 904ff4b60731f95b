"""Real Zaptec API payloads from public sources, kept verbatim (Python literals of the JSON;
long strings split only where Python joins them back), each with where it was published.

Personal data was already redacted by the publishers ("xxx", PIN left out by the reference).
"""

from __future__ import annotations

from typing import Any

# stelund/charging-costs@f7886d37ac80ee6c5aa1aba276684c41cfcbaa7d, tests/test_zaptec.py,
# `test_get_energy_history`: a `GET api/chargehistory` answer of a Zaptec Pro (DetailLevel=1).
# The first item has no `Id`/`DeviceId` as published; the second no `SignedSession`.
CHARGEHISTORY_PRO: dict[str, Any] = {
    "Pages": 1,
    "Data": [
        {
            "StartDateTime": "2025-06-07T09:20:55.967",
            "EndDateTime": "2025-06-07T16:46:56.877",
            "Energy": 2.527,
            "CommitMetadata": 21,
            "CommitEndDateTime": "2025-06-07T16:46:56.877",
            "ChargerId": "xxx",
            "DeviceName": "xxx",
            "ExternallyEnded": True,
            "EnergyDetails": [
                {"Timestamp": "2025-06-07T09:20:55.943+00:00", "Energy": 0.0},
                {"Timestamp": "2025-06-07T09:30:01.007+00:00", "Energy": 0.509},
                {"Timestamp": "2025-06-07T09:45:00.584+00:00", "Energy": 0.883},
                {"Timestamp": "2025-06-07T10:00:00.281+00:00", "Energy": 0.6560000000000001},
                {"Timestamp": "2025-06-07T10:15:00.752+00:00", "Energy": 0.36599999999999966},
                {"Timestamp": "2025-06-07T10:30:00.683+00:00", "Energy": 0.11300000000000043},
                {"Timestamp": "2025-06-07T16:46:56.864+00:00", "Energy": 0.0},
            ],
            "ChargerFirmwareVersion": {
                "Major": 5,
                "Minor": 0,
                "Build": 7,
                "Revision": 2,
                "MajorRevision": 0,
                "MinorRevision": 2,
            },
            "SignedSession": (
                'OCMF|{"FV":"1.0","GI":"Zaptec Pro MID","GS":"ZPR294591","GV":"5.0.7.2","PG":'
                '"T1","MF":"v1.3.6","IS":false,"RD":[{"TM":"2025-06-07T09:20:55,943+00:00 R",'
                '"TX":"B","RV":0.842,"RI":"1-0:1.8.0","RU":"kWh","ST":"G"},{"TM":"2025-06-07T'
                '09:30:01,007+00:00 R","TX":"T","RV":1.351,"RI":"1-0:1.8.0","ST":"G"},{"TM":"'
                '2025-06-07T09:45:00,584+00:00 R","TX":"T","RV":2.234,"RI":"1-0:1.8.0","ST":"'
                'G"},{"TM":"2025-06-07T10:00:00,281+00:00 R","TX":"T","RV":2.89,"RI":"1-0:1.8'
                '.0","ST":"G"},{"TM":"2025-06-07T10:15:00,752+00:00 R","TX":"T","RV":3.256,"R'
                'I":"1-0:1.8.0","ST":"G"},{"TM":"2025-06-07T10:30:00,683+00:00 R","TX":"T","R'
                'V":3.369,"RI":"1-0:1.8.0","ST":"G"},{"TM":"2025-06-07T16:46:56,864+00:00 R",'
                '"TX":"E","RV":3.369,"RI":"1-0:1.8.0","ST":"G"}],"ZS":"29ebc8fc-04a6-4ff7-bd9'
                'e-a6ca3982493b"}|{"SA":"ECDSA-secp384r1-SHA256","SE":"base64","SD":"MGUCMQDo'
                "F1zV4648++T9/idWQSa+mybjhEhzsvHWYNL1LaKAWMAMDz8jnkDQ3ff02DIqC3gCMHOuHK0Wnbh6"
                'hQT1oFUYhW5EVF927sUfUQoxq6je3w43DY6xYRl8pJLXdQ/nDwQ0ag=="}'
            ),
        },
        {
            "Id": "e2e4b400-2569-4323-ad7c-569eab7d6403",
            "DeviceId": "ZPR294591",
            "StartDateTime": "2025-06-05T15:23:18.443",
            "EndDateTime": "2025-06-07T08:19:58.73",
            "Energy": 0.842,
            "CommitMetadata": 21,
            "CommitEndDateTime": "2025-06-07T08:19:58.73",
            "ChargerId": "xxx",
            "DeviceName": "xxx",
            "ExternallyEnded": True,
            "EnergyDetails": [
                {"Timestamp": "2025-06-05T15:23:18.337+00:00", "Energy": 0.0},
                {"Timestamp": "2025-06-05T15:30:00.26+00:00", "Energy": 0.365},
                {"Timestamp": "2025-06-05T15:45:00.206+00:00", "Energy": 0.364},
                {"Timestamp": "2025-06-05T16:00:01.004+00:00", "Energy": 0.11299999999999999},
                {"Timestamp": "2025-06-07T08:19:58.714+00:00", "Energy": 0.0},
            ],
        },
    ],
}

# stekker/zaptec@8b93e65, spec/zaptec/client_spec.rb `chargers_example` (a Ruby hash, as JSON
# in /work/shared/reference/charger-clouds.md §3.2; the PIN left out there): `GET api/chargers`.
CHARGERS_GO: dict[str, Any] = {
    "Pages": 1,
    "Data": [
        {
            "OperatingMode": 1,
            "IsOnline": True,
            "Id": "93d603a7-ff53-4ed8-8dd6-f79c94819458",
            "MID": "ZAP049387",
            "DeviceId": "ZAP049387",
            "SerialNo": "Zaptec",
            "Name": "Zaptec",
            "CreatedOnDate": "2022-09-16T08:06:10.487",
            "CircuitId": "163fdd03-8149-43ad-a6cb-5a63fa67d1e5",
            "Active": True,
            "CurrentUserRoles": 3,
            "DeviceType": 4,
            "InstallationName": "Zaptechof 1",
            "InstallationId": "2bbec6f9-c3ce-4edf-a72f-b1b2a663c6ba",
            "AuthenticationType": 2,
            "IsAuthorizationRequired": True,
        }
    ],
}

# evcc-io/evcc#20009 (https://github.com/evcc-io/evcc/issues/20009) and #14550
# (https://github.com/evcc-io/evcc/issues/14550): `GET api/chargers/{id}/state` entries of a
# real Zaptec Go, as the reference §3.4 records them (a charging Go: mode 3, 7.997 A set).
STATE_GO: list[dict[str, Any]] = [
    {
        "ChargerId": "46181390-a597-4272-9fc8-f38edd7bf1bb",
        "StateId": 554,
        "Timestamp": "2025-03-16T16:00:00.17",
        "ValueAsString": (
            'OCMF|{"FV":"1.0","GI":"ZAPTEC GO","GS":"ZAP111522","GV":"2.4.1.2","PG":"F1",'
            '"RD":[{"TM":"2025-03-16T16:00:00,000+00:00 R","RV":2670.343,"RI":"1-0:1.8.0",'
            '"RU":"kWh","RT":"AC","ST":"G"}]}'
        ),
    },
    {
        "ChargerId": "46181390-a597-4272-9fc8-f38edd7bf1bb",
        "StateId": 708,
        "Timestamp": "2025-03-22T12:14:42.163",
        "ValueAsString": "7.997",
    },
    {
        "ChargerId": "46181390-a597-4272-9fc8-f38edd7bf1bb",
        "StateId": 710,
        "Timestamp": "2025-03-22T12:08:15.64",
        "ValueAsString": "3",
    },
    {
        "ChargerId": "46181390-a597-4272-9fc8-f38edd7bf1bb",
        "StateId": 513,
        "Timestamp": "2024-07-03T09:10:39.85",
        "ValueAsString": "10969.104",
    },
]

# custom-components/zaptec@b1a02b3, tests/zaptec/test_zconst.py `test_completed_session`:
# StateId 723 (CompletedSession) of a Go; its OCMF has a begin and an intermediate reading
# but no end reading (serial anonymised by the authors).
COMPLETED_SESSION_GO = (
    r'{"SessionId":"01234567-89ab-cdef-0123-456789abcdef","Energy":27.432,"StartDateTime":'
    r'"2025-08-28T15:02:55.188048Z","EndDateTime":"2025-09-01T10:32:50.517055Z",'
    r'"ReliableClock":true,"StoppedByRFID":false,"AuthenticationCode":"",'
    r'"FirstAuthenticatedDateTime":"","SignedSession":"OCMF|{\"FV\":\"1.0\",\"GI\":'
    r"\"ZAPTEC GO\",\"GS\":\"ZAP000042\",\"GV\":\"2.4.2.4\",\"PG\":\"T1\",\"RD\":[{\"TM\":"
    r"\"2025-08-28T15:02:55,000+00:00 R\",\"TX\":\"B\",\"RV\":1472.07,\"RI\":\"1-0:1.8.0\","
    r"\"RU\":\"kWh\",\"RT\":\"AC\",\"ST\":\"G\"},{\"TM\":\"2025-08-29T12:00:00,000+00:00 R\","
    r"\"TX\":\"T\",\"RV\":1472.29,\"RI\":\"1-0:1.8.0\",\"RU\":\"kWh\",\"RT\":\"AC\",\"ST\":"
    r'\"G\"}]}"}'
)
