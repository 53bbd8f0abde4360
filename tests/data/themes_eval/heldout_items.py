# ruff: noqa: E501
"""Held-out items for the themes evaluation set (see README.md, "Held-out set").

Written after digest's theme and clustering constants were tuned on items.jsonl and
extra.jsonl, without reading digest's clustering or theme code, its data files or the
theme terms. Nothing here was checked against digest's output, and nothing here may be
used to choose a constant: it only measures.

Each item: (key, lang, story, published, title, text, themes, note)
  story     groups items that report the same event (None: a single-item story, written
            as a hard negative for another story)
  published UTC, ISO 8601
Run with /work/main/.venv/bin/python heldout_items.py: writes heldout.jsonl and
heldout_pairs.jsonl next to this file and prints the counts.
"""

import json
import sys
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
K, R = "korean-peninsula", "russia"
FEED = "heldout (written for the eval)"

HELDOUT = [
    # ---- H1: Trump-Kim summit in Singapore, 12 June 2018 ---------------------------------
    (
        "en_H1a",
        "en",
        "H1",
        "2018-06-12T06:40:00+00:00",
        "Trump and Kim sign pledge on 'complete denuclearization' at Singapore summit",
        "U.S. President Donald Trump and North Korean leader Kim Jong Un signed a joint statement on Sentosa island on Tuesday in which Pyongyang committed to work toward the complete denuclearization of the Korean peninsula and Washington offered security guarantees. The one-page document gave no timetable and no details on how disarmament would be verified.",
        [K],
        "",
    ),
    (
        "en_H1b",
        "en",
        "H1",
        "2018-06-12T10:15:00+00:00",
        "Trump says U.S. will halt 'war games' with South Korea after meeting Kim",
        "President Trump said after his meeting with Kim Jong Un in Singapore that the United States would stop joint military exercises with South Korea, calling them 'very provocative' and expensive, a concession that appeared to catch officials in Seoul by surprise. Trump told reporters he had formed 'a very special bond' with the North Korean leader.",
        [K],
        "",
    ),
    (
        "fr_H1",
        "fr",
        "H1",
        "2018-06-12T08:05:00+00:00",
        "Sommet de Singapour : poignée de main historique entre Donald Trump et Kim Jong-un",
        "Pour la première fois, un président américain en exercice a rencontré un dirigeant nord-coréen. Au terme de près de cinq heures d'entretiens à l'hôtel Capella, Donald Trump et Kim Jong-un ont signé un document commun sur la dénucléarisation de la péninsule coréenne, sans calendrier ni mécanisme de vérification. « Le monde va connaître un changement majeur », a déclaré Kim Jong-un.",
        [K],
        "",
    ),
    (
        "ko_H1",
        "ko",
        "H1",
        "2018-06-12T07:30:00+00:00",
        "북미 정상, 싱가포르서 사상 첫 회담…'완전한 비핵화'·체제 안전보장 공동성명 서명",
        '도널드 트럼프 미국 대통령과 김정은 북한 국무위원장이 12일 싱가포르 센토사섬 카펠라 호텔에서 사상 첫 북미 정상회담을 열고 공동성명에 서명했다. 성명에는 한반도의 완전한 비핵화를 위한 북한의 노력과 미국의 대북 안전보장 제공, 새로운 북미 관계 수립, 미군 유해 송환 등 4개 항이 담겼다. 문재인 대통령은 "세계사적 사건"이라고 평가했다. 두 정상은 회담 뒤 합의문을 들고 나란히 서서 악수를 나눴다.',
        [K],
        "",
    ),
    (
        "ru_H1",
        "ru",
        "H1",
        "2018-06-12T09:20:00+00:00",
        "Трамп и Ким Чен Ын провели первую встречу в Сингапуре и подписали совместное заявление",
        "Президент США Дональд Трамп и лидер КНДР Ким Чен Ын во вторник провели в Сингапуре первый в истории саммит двух стран. По итогам переговоров стороны подписали документ, в котором Пхеньян обязался работать над полной денуклеаризацией Корейского полуострова, а Вашингтон — предоставить КНДР гарантии безопасности. Трамп пообещал в будущем пригласить Кима в Белый дом.",
        [K],
        "",
    ),
    (
        "ko_talks",
        "ko",
        None,
        "2018-06-14T08:00:00+00:00",
        "남북, 판문점서 10년 6개월 만에 장성급 군사회담…동·서해 군 통신선 완전 복구 합의",
        "남북은 14일 판문점 북측 지역 통일각에서 장성급 군사회담을 열고 동·서해지구 군 통신선을 완전히 복구하기로 합의했다고 국방부가 밝혔다. 남북 장성급 회담이 열린 것은 2007년 12월 이후 10년 6개월 만이다. 양측은 비무장지대 내 긴장 완화와 서해 우발 충돌 방지 방안도 논의했다. 이번 회담은 지난 4월 판문점 정상회담과 이틀 전 싱가포르 북미 정상회담에 이어 열려 관심을 모았으며, 남측 수석대표로는 김도균 국방부 대북정책관(육군 소장)이 나섰다.",
        [K],
        "hard negative for H1: inter-Korean military talks two days after the Singapore summit",
    ),
    # ---- H2: Hanoi summit ends without a deal, 28 February 2019 --------------------------
    (
        "en_H2",
        "en",
        "H2",
        "2019-02-28T08:10:00+00:00",
        "Trump walks away from Hanoi summit with Kim, citing demand to lift sanctions",
        "The second summit between Donald Trump and Kim Jong Un ended abruptly on Thursday without an agreement, after the two sides failed to bridge differences over sanctions relief and the dismantling of North Korea's nuclear programme. 'Sometimes you have to walk,' Trump told reporters in Hanoi, saying Kim wanted sanctions lifted in their entirety in exchange for closing only part of the Yongbyon complex. A planned working lunch was cancelled.",
        [K],
        "",
    ),
    (
        "fr_H2",
        "fr",
        "H2",
        "2019-02-28T19:40:00+00:00",
        "À Hanoï, le second sommet Trump-Kim tourne court sans accord",
        "Les discussions entre Donald Trump et Kim Jong-un ont pris fin jeudi plus tôt que prévu, sans déclaration commune. Le déjeuner de travail et la cérémonie de signature ont été annulés. Selon le président américain, Pyongyang réclamait la levée complète des sanctions ; le ministre nord-coréen des Affaires étrangères Ri Yong-ho a affirmé dans la nuit que son pays n'avait demandé qu'une levée partielle.",
        [K],
        "",
    ),
    (
        "ko_H2a",
        "ko",
        "H2",
        "2019-02-28T09:00:00+00:00",
        '하노이 북미 정상회담 결렬…합의문 서명 없이 종료, 트럼프 "제재 해제가 쟁점"',
        '도널드 트럼프 미국 대통령과 김정은 북한 국무위원장의 2차 정상회담이 28일 합의문을 채택하지 못한 채 끝났다. 예정됐던 업무 오찬과 서명식은 취소됐다. 트럼프 대통령은 기자회견에서 "북한은 제재의 전면 해제를 원했지만 우리는 그렇게 할 수 없었다"며 영변 핵시설 폐기만으로는 부족하다는 입장을 밝혔다. 트럼프 대통령은 "서두르지 않겠다"며 김 위원장과의 관계는 여전히 좋다고 강조했고, 3차 회담 일정은 정해지지 않았다.',
        [K],
        "",
    ),
    (
        "ko_H2b",
        "ko",
        "H2",
        "2019-02-28T12:20:00+00:00",
        "2차 북미 정상회담 '노딜'로 끝나…영변 폐기·제재 해제 놓고 끝내 이견 못 좁혀",
        '베트남 하노이에서 열린 2차 북미 정상회담이 아무런 합의 없이 막을 내렸다. 양측은 영변 핵시설 폐기 범위와 대북 제재 해제 수준을 두고 끝내 접점을 찾지 못한 것으로 알려졌다. 청와대는 "완전한 합의에 이르지 못한 것은 아쉽다"면서도 북미가 대화를 이어가도록 적극적인 역할을 하겠다고 밝혔다. 전문가들은 이번 결렬로 남북 경제협력과 금강산 관광 재개 구상도 당분간 어려워졌다고 내다봤다.',
        [K],
        "",
    ),
    (
        "uk_H2",
        "uk",
        "H2",
        "2019-02-28T10:45:00+00:00",
        "Саміт Трампа і Кім Чен Ина у В'єтнамі завершився без угоди",
        "Друга зустріч президента США Дональда Трампа з лідером КНДР Кім Чен Ином у Ханої завершилася достроково і без підписання спільного документа. За словами Трампа, Пхеньян вимагав повністю зняти санкції в обмін на часткове закриття ядерного центру в Йонбьоні. Американський президент заявив, що не поспішає і зберігає добрі стосунки з Кімом.",
        [K],
        "",
    ),
    (
        "en_dmz",
        "en",
        None,
        "2019-06-30T08:30:00+00:00",
        "Trump steps into North Korea, first sitting U.S. president to do so, in DMZ meeting with Kim",
        "Donald Trump crossed the concrete line dividing the two Koreas at Panmunjom on Sunday and briefly walked onto North Korean soil with Kim Jong Un, before the two leaders met for about 50 minutes on the southern side. They agreed to set up teams to restart stalled nuclear talks, four months after their Hanoi summit broke down. South Korea's Moon Jae-in joined them briefly.",
        [K],
        "hard negative for H2: the June 2019 DMZ meeting, not the Hanoi summit",
    ),
    # ---- H3: North Korea blows up the Kaesong liaison office, 16 June 2020 ---------------
    (
        "ko_H3",
        "ko",
        "H3",
        "2020-06-16T06:30:00+00:00",
        "북한, 개성 남북공동연락사무소 청사 폭파…김여정 경고 사흘 만에 실행에 옮겨",
        '통일부는 북한이 16일 오후 2시 49분께 개성공단 내 남북공동연락사무소 청사를 폭파했다고 밝혔다. 2018년 4·27 판문점선언에 따라 연락사무소가 문을 연 지 1년 9개월 만이다. 군 당국은 개성 지역에서 폭음과 함께 연기가 관측됐다고 전했다. 청와대는 국가안전보장회의(NSC) 긴급 상임위원회를 소집했다. 김여정 노동당 제1부부장은 지난 13일 담화에서 "머지않아 쓸모없는 북남공동연락사무소가 형체도 없이 무너지는 비참한 광경을 보게 될 것"이라고 경고한 바 있다.',
        [K],
        "",
    ),
    (
        "en_H3",
        "en",
        "H3",
        "2020-06-16T07:15:00+00:00",
        "North Korea blows up joint liaison office with South in border town of Kaesong",
        "North Korea demolished an inter-Korean liaison office on its side of the border on Tuesday, South Korea's unification ministry said, a dramatic escalation days after Kim Jong Un's sister warned that Seoul would soon see the 'useless' building completely collapsed. Pyongyang has been angered by anti-regime leaflets sent across the border by activists in the South.",
        [K],
        "",
    ),
    (
        "fr_H3",
        "fr",
        "H3",
        "2020-06-16T10:00:00+00:00",
        "La Corée du Nord détruit le bureau de liaison intercoréen de Kaesong",
        "Pyongyang a fait exploser mardi le bâtiment qui abritait le bureau de liaison entre les deux Corées, symbole du rapprochement de 2018. L'agence officielle KCNA a confirmé la destruction, présentée comme une riposte aux tracts de propagande envoyés depuis le Sud par des transfuges. Séoul a averti qu'il répondrait « fermement » si la situation continuait de se dégrader.",
        [K],
        "",
    ),
    (
        "ru_H3",
        "ru",
        "H3",
        "2020-06-16T08:40:00+00:00",
        "КНДР взорвала здание межкорейского офиса связи в Кэсоне",
        "Северная Корея во вторник уничтожила здание совместного офиса связи двух Корей в приграничном городе Кэсон, сообщило министерство по делам объединения Республики Корея. Офис открылся в 2018 году после встречи Мун Чжэ Ина и Ким Чен Ына и с конца января не работал из-за пандемии. Пхеньян ранее пригрозил разрывом отношений из-за листовок, которые запускают с Юга.",
        [K],
        "",
    ),
    (
        "ru_hotline",
        "ru",
        None,
        "2020-06-09T04:00:00+00:00",
        "Пхеньян прекратил все каналы связи с Сеулом из-за листовок перебежчиков",
        "КНДР с полудня вторника полностью отключила линии связи с Южной Кореей, в том числе горячую линию между лидерами и военные каналы, сообщило ЦТАК. В Пхеньяне заявили, что отныне будут относиться к Югу как к «врагу». Поводом стали листовки, которые северокорейские перебежчики запускают через границу на воздушных шарах.",
        [K],
        "hard negative for H3: the lines cut a week before the office was blown up",
    ),
    (
        "ko_troops",
        "ko",
        None,
        "2020-06-17T02:30:00+00:00",
        '북한 총참모부 "금강산·개성공단에 군부대 전개"…김여정, 특사 파견 제안 거절',
        "북한 조선인민군 총참모부는 17일 금강산 관광지구와 개성공업지구에 연대급 부대와 화력 구분대를 전개하고, 비무장지대에서 철수했던 민경초소들을 다시 진출시키겠다고 발표했다. 김여정 노동당 제1부부장은 별도 담화에서 문재인 대통령이 특사 파견을 제의했으나 이를 거절했다고 공개했다. 2018년 9·19 남북 군사합의 이후 이어져 온 접경 지역의 긴장 완화 조치가 사실상 무력화될 수 있다는 우려가 나온다.",
        [K],
        "hard negative for H3: troop deployment announced the day after the office was blown up",
    ),
    # ---- H4: North Korea's first spy-satellite launch fails, 31 May 2023 ----------------
    (
        "en_H4",
        "en",
        "H4",
        "2023-05-31T01:40:00+00:00",
        "North Korea's first spy satellite launch fails as rocket crashes into the sea",
        "A North Korean rocket carrying what Pyongyang called its first military reconnaissance satellite plunged into the Yellow Sea on Wednesday after its second stage failed, state media said, in a rare public admission of failure. South Korea's military said it was recovering debris off the west coast. The launch briefly triggered emergency alerts in Seoul and on Japan's Okinawa islands.",
        [K],
        "",
    ),
    (
        "ko_H4",
        "ko",
        "H4",
        "2023-05-31T00:10:00+00:00",
        "북한 '군사정찰위성' 발사했지만 서해 추락…서울엔 경계경보 오발령으로 출근길 혼란",
        "북한이 31일 오전 6시 29분께 평안북도 동창리에서 군사정찰위성을 탑재한 발사체를 남쪽 방향으로 쐈으나 비정상적으로 비행해 어청도 서방 해상에 추락했다고 합동참모본부가 밝혔다. 서울시는 6시 41분 경계경보를 발령하고 대피를 준비하라는 재난문자를 보냈으나, 행정안전부가 20여 분 뒤 오발령이라고 정정해 시민들이 혼란을 겪었다. 북한은 발사 약 2시간 반 만에 조선중앙통신을 통해 2단 엔진의 시동 비정상으로 추진력을 상실해 추락했다고 이례적으로 실패를 인정했다.",
        [K],
        "",
    ),
    (
        "fr_H4",
        "fr",
        "H4",
        "2023-05-31T08:30:00+00:00",
        "Échec du lancement du premier satellite espion nord-coréen, Pyongyang promet de réessayer",
        "La fusée Chollima-1, qui devait placer en orbite un satellite de reconnaissance militaire, s'est abîmée en mer Jaune mercredi matin à la suite d'une défaillance du deuxième étage, a reconnu l'agence officielle nord-coréenne KCNA. Pyongyang assure qu'un nouveau tir aura lieu « dès que possible ». Washington, Séoul et Tokyo dénoncent une violation des résolutions de l'ONU.",
        [K],
        "",
    ),
    (
        "uk_H4",
        "uk",
        "H4",
        "2023-05-31T06:50:00+00:00",
        "КНДР не змогла вивести на орбіту свій перший військовий супутник-шпигун",
        "Ракета-носій «Чхолліма-1» з розвідувальним супутником «Маллігьон-1» впала в Жовте море після аварії другого ступеня, визнали в Пхеньяні. Південнокорейські військові виявили в морі уламки, ймовірно, ракети. Через запуск у Сеулі помилково оголосили тривогу, а на японському острові Окінава мешканцям радили сховатися в приміщеннях.",
        [K],
        "",
    ),
    (
        "ko_sat_aug",
        "ko",
        None,
        "2023-08-24T01:30:00+00:00",
        '북한, 정찰위성 두 번째 발사도 실패…"3단 비행 중 비상폭발체계 오류" 10월 재발사 예고',
        "북한이 24일 새벽 평안북도 철산군 서해위성발사장에서 군사정찰위성 '만리경-1호'를 실은 신형 위성운반로켓 '천리마-1형'을 발사했으나 또다시 실패했다고 조선중앙통신이 보도했다. 북한은 1·2단은 정상 비행했지만 3단 비행 중 비상폭발체계에 오류가 생겼다며 10월에 3차 발사를 단행하겠다고 밝혔다. 지난 5월 31일 1차 발사 실패 이후 석 달 만이다. 합참은 한미 정보당국이 발사체의 궤적을 추적해 분석 중이라고 밝혔다.",
        [K],
        "hard negative for H4: the second failed launch, in August 2023",
    ),
    (
        "en_nk_july",
        "en",
        None,
        "2023-07-24T16:10:00+00:00",
        "North Korea fires two ballistic missiles as U.S. submarine arrives at Jeju",
        "North Korea fired two short-range ballistic missiles off its east coast late on Monday, South Korea's Joint Chiefs of Staff said, hours after the nuclear-powered U.S. submarine USS Annapolis arrived at a naval base on Jeju island. The missiles were launched from near Pyongyang shortly before midnight and flew about 400 km. It was the North's second launch in less than a week.",
        [K],
        "hard negative for H4 (a different launch) and for H12 (two days before Shoigu's visit)",
    ),
    # ---- H5: Itaewon crowd crush, Seoul, 29 October 2022 --------------------------------
    (
        "ko_H5a",
        "ko",
        "H5",
        "2022-10-29T17:40:00+00:00",
        "서울 이태원 핼러윈 인파 몰려 대형 압사 사고…심정지 환자 수십 명 발생",
        "29일 밤 10시 15분께 서울 용산구 이태원동 해밀톤호텔 옆 좁은 골목에서 핼러윈을 앞두고 몰린 인파가 넘어지며 대규모 압사 사고가 발생했다. 소방당국은 대응 3단계를 발령하고 인력을 총동원해 구조에 나섰으며, 현장에서는 심정지 환자 수십 명이 심폐소생술을 받았다. 윤석열 대통령은 신속한 구급과 치료를 지시했다. 행정안전부는 중앙재난안전대책본부를 가동했으며, 서울시도 재난안전대책본부를 꾸려 실종자 신고 접수를 시작했다.",
        [K],
        "national disaster (the President orders the rescue): about South Korea, not local news",
    ),
    (
        "ko_H5b",
        "ko",
        "H5",
        "2022-10-30T01:00:00+00:00",
        "이태원 참사 사망자 151명으로 늘어…외국인 19명 포함, 20대 희생자가 가장 많아",
        "핼러윈을 앞둔 주말 서울 이태원에서 발생한 압사 사고로 151명이 숨지고 82명이 다쳤다고 소방당국이 30일 밝혔다. 사망자 가운데 상당수는 20대였으며, 이란·중국·러시아 등 외국인 19명도 포함됐다. 윤석열 대통령은 대국민 담화를 통해 이날부터 사고 수습 때까지 국가애도기간으로 정한다고 밝혔다. 정부는 용산구를 특별재난지역으로 선포하고, 서울광장과 녹사평역 광장에 합동분향소를 설치하기로 했다.",
        [K],
        "national mourning declared; Russia only as a victims' nationality",
    ),
    (
        "ko_H5c",
        "ko",
        "H5",
        "2022-10-30T04:30:00+00:00",
        '"뒤에서 밀려 도미노처럼 넘어졌다"…폭 3.2m 내리막 골목에 인파 몰려 참사 키워',
        '이태원 참사가 일어난 골목은 길이 약 45m, 폭 3.2m 안팎의 내리막 경사로로, 사고 당시 10만 명 가까운 인파가 이태원 일대에 몰린 것으로 추산된다. 생존자들은 "위쪽에서 사람들이 밀려 내려오면서 도미노처럼 넘어졌다"고 증언했다. 경찰은 전담수사본부를 꾸려 사고 원인과 안전 관리 책임을 조사하기로 했다. 전문가들은 주최자가 없는 행사라도 대규모 인파가 예상되면 지자체와 경찰이 사전에 통행을 관리했어야 한다고 지적했다.',
        [K],
        "national disaster (same event as the rest of H5)",
    ),
    (
        "en_H5",
        "en",
        "H5",
        "2022-10-29T22:30:00+00:00",
        "Halloween crowd surge in Seoul's Itaewon district kills at least 149",
        "At least 149 people were killed and dozens injured when a large Halloween crowd surged into a narrow alley in Seoul's Itaewon nightlife district late on Saturday, South Korean officials said. Most of the victims were in their teens and twenties. Witnesses described people falling on top of one another as emergency workers performed CPR on the street. President Yoon Suk Yeol convened an emergency meeting.",
        [K],
        "national disaster",
    ),
    (
        "fr_H5",
        "fr",
        "H5",
        "2022-10-30T06:15:00+00:00",
        "Corée du Sud : au moins 151 morts dans une bousculade à Séoul lors d'Halloween",
        "Une gigantesque bousculade survenue samedi soir dans le quartier festif d'Itaewon, à Séoul, a fait au moins 151 morts, majoritairement des jeunes venus célébrer Halloween. Il s'agit de la pire catastrophe en Corée du Sud depuis le naufrage du ferry Sewol en 2014. Le président Yoon Suk-yeol a décrété un deuil national.",
        [K],
        "national disaster; national mourning",
    ),
    (
        "ru_H5",
        "ru",
        "H5",
        "2022-10-30T03:20:00+00:00",
        "В давке на Хэллоуин в Сеуле погибли более 150 человек, среди них граждане России",
        "Жертвами давки в районе Итхэвон в Сеуле стали 151 человек, сообщили южнокорейские власти. Трагедия произошла вечером в субботу, когда тысячи людей, отмечавших Хэллоуин, оказались зажаты в узком переулке. По данным посольства России, среди погибших есть российские граждане. Президент Юн Сок Ёль объявил национальный траур.",
        [K],
        "Russians only as victims' nationality: not a Russia story",
    ),
    (
        "ko_nk_nov",
        "ko",
        None,
        "2022-11-02T00:30:00+00:00",
        "북한 탄도미사일, 분단 후 처음 NLL 이남 공해상 낙하…울릉도에 공습경보 발령",
        "북한이 2일 오전 8시 51분께 강원도 원산 일대에서 동해상으로 단거리 탄도미사일 3발을 발사했으며, 이 중 1발이 북방한계선(NLL) 이남 속초 동방 57㎞ 공해상에 떨어졌다고 합동참모본부가 밝혔다. 북한 미사일이 NLL 이남에 떨어진 것은 분단 이후 처음이다. 울릉군에는 공습경보가 발령됐다. 이태원 참사에 따른 국가애도기간 중 벌어진 도발이다. 우리 군은 NLL 이북 공해상으로 공대지미사일 3발을 발사하며 대응했다.",
        [K],
        "hard negative for H5: missile launch three days after the crush, during the mourning period",
    ),
    # ---- H6: Prigozhin's Wagner mutiny, 24 June 2023 ------------------------------------
    (
        "ru_H6a",
        "ru",
        "H6",
        "2023-06-24T07:45:00+00:00",
        "Путин назвал мятеж ЧВК «Вагнер» ударом в спину и пообещал неотвратимое наказание",
        "Президент России Владимир Путин в экстренном обращении к нации назвал действия Евгения Пригожина вооружённым мятежом и предательством. «Все, кто сознательно встал на путь предательства, понесут неотвратимое наказание», — сказал он. Ранее бойцы «Вагнера» заняли ключевые военные объекты в Ростове-на-Дону, включая штаб Южного военного округа.",
        [R],
        "",
    ),
    (
        "ru_H6b",
        "ru",
        "H6",
        "2023-06-24T18:30:00+00:00",
        "Пригожин развернул колонны «Вагнера», не дойдя 200 километров до Москвы",
        "Глава ЧВК «Вагнер» Евгений Пригожин объявил, что его бойцы возвращаются в полевые лагеря, чтобы «не проливать русскую кровь». Решение последовало после переговоров с президентом Белоруссии Александром Лукашенко. Днём колонны вагнеровцев продвигались по трассе М-4 через Воронежскую и Липецкую области, а в Москве был введён режим контртеррористической операции.",
        [R],
        "",
    ),
    (
        "ru_H6c",
        "ru",
        "H6",
        "2023-06-24T12:10:00+00:00",
        "В Ростове-на-Дону бойцы «Вагнера» блокировали штаб военного округа, на улицах стоит бронетехника",
        "Центр Ростова-на-Дону в субботу утром оказался под контролем вооружённых людей в форме ЧВК «Вагнер». У здания штаба Южного военного округа стоят танки и бронемашины, часть улиц перекрыта. Пригожин в видеообращении потребовал выдать ему министра обороны Сергея Шойгу и начальника Генштаба Валерия Герасимова. Власти Ростовской области призвали жителей не выходить из домов.",
        [R],
        "",
    ),
    (
        "en_H6",
        "en",
        "H6",
        "2023-06-24T10:20:00+00:00",
        "Wagner mercenaries seize Rostov as Prigozhin's armed revolt challenges Putin",
        "Fighters from the Wagner private army seized the southern Russian city of Rostov-on-Don on Saturday and sent an armoured column north towards Moscow, in the gravest challenge to Vladimir Putin's rule in more than two decades. Putin, in a televised address, accused Yevgeny Prigozhin of treason and vowed to crush the mutiny. Moscow's mayor told residents to avoid travel.",
        [R],
        "",
    ),
    (
        "fr_H6",
        "fr",
        "H6",
        "2023-06-24T21:05:00+00:00",
        "Russie : Prigojine stoppe sa marche sur Moscou après une médiation de Loukachenko",
        "Coup de théâtre en Russie samedi soir : le patron du groupe Wagner, Evgueni Prigojine, a ordonné à ses hommes de faire demi-tour, quelques heures après avoir lancé une « marche pour la justice » vers Moscou. Selon le Kremlin, les poursuites pour mutinerie seront abandonnées et Prigojine partira pour le Bélarus. Vladimir Poutine avait dénoncé le matin même une « trahison ».",
        [R],
        "",
    ),
    (
        "uk_H6",
        "uk",
        "H6",
        "2023-06-24T14:00:00+00:00",
        "Заколот Пригожина: колона «вагнерівців» рухається на Москву, Путін говорить про зраду",
        "Найманці ПВК «Вагнер» захопили військові об'єкти в Ростові-на-Дону та просуваються трасою М-4 на північ, повідомляють російські ЗМІ. Путін у зверненні назвав дії Пригожина «ударом у спину». У Києві заявили, що заколот свідчить про слабкість російської влади, а Сили оборони уважно стежать за подіями.",
        [R],
        "",
    ),
    (
        "ru_bakhmut",
        "ru",
        None,
        "2023-05-05T06:00:00+00:00",
        "Пригожин пригрозил вывести «Вагнер» из Бахмута 10 мая из-за нехватки снарядов",
        "Основатель ЧВК «Вагнер» Евгений Пригожин опубликовал видео, в котором заявил, что 10 мая выведет своих бойцов из Бахмута (Артёмовска) и передаст позиции Минобороны. Причиной он назвал нехватку боеприпасов и большие потери. В другом ролике, записанном на фоне тел погибших, Пригожин в резких выражениях обратился к Сергею Шойгу и Валерию Герасимову.",
        [R],
        "hard negative for H6: Prigozhin's May threat over Bakhmut, not the June mutiny",
    ),
    # ---- H7: plane carrying Prigozhin crashes, 23 August 2023 ---------------------------
    (
        "en_H7",
        "en",
        "H7",
        "2023-08-23T18:05:00+00:00",
        "Wagner chief Prigozhin listed on passenger manifest of jet that crashed north of Moscow",
        "A private jet crashed in Russia's Tver region on Wednesday, killing all ten people on board, and Russia's aviation authority said Wagner mercenary boss Yevgeny Prigozhin was on the passenger list. The Embraer was flying from Moscow to St Petersburg. The crash came exactly two months after Prigozhin led a short-lived mutiny against Russia's military leadership.",
        [R],
        "",
    ),
    (
        "ru_H7",
        "ru",
        "H7",
        "2023-08-23T16:10:00+00:00",
        "Под Тверью разбился самолёт Embraer, в списке пассажиров — Евгений Пригожин",
        "В Тверской области у деревни Куженкино потерпел крушение бизнес-джет Embraer Legacy, летевший из Москвы в Санкт-Петербург. По данным МЧС, на борту находились десять человек, все они погибли. Росавиация сообщила, что в списке пассажиров значились Евгений Пригожин и Дмитрий Уткин. Следственный комитет возбудил уголовное дело о нарушении правил безопасности полётов.",
        [R],
        "",
    ),
    (
        "uk_H7a",
        "uk",
        "H7",
        "2023-08-23T17:30:00+00:00",
        "У Тверській області Росії впав літак, яким нібито летів Пригожин",
        "Приватний літак розбився в Тверській області неподалік села Куженкіно, повідомили російські ЗМІ. Росавіація заявила, що серед пасажирів був засновник ПВК «Вагнер» Євгеній Пригожин. Близькі до «Вагнера» телеграм-канали стверджують, що літак збила російська ППО. Офіційного підтвердження смерті Пригожина поки немає.",
        [R],
        "",
    ),
    (
        "uk_H7b",
        "uk",
        "H7",
        "2023-08-24T07:20:00+00:00",
        "Загибель Пригожина: що відомо про катастрофу літака «Вагнера» в Тверській області",
        "Бізнес-джет Embraer Legacy, яким летіли Євгеній Пригожин і командир «Вагнера» Дмитро Уткін, упав у середу ввечері невдовзі після вильоту з Москви. Загинули всі десять людей на борту. У Києві заявили, що Україна не має стосунку до катастрофи, а президент США Джо Байден сказав, що «мало що відбувається в Росії без участі Путіна».",
        [R],
        "",
    ),
    (
        "fr_H7",
        "fr",
        "H7",
        "2023-08-24T05:40:00+00:00",
        "Evgueni Prigojine présumé mort dans le crash d'un avion privé en Russie",
        "Deux mois jour pour jour après sa mutinerie avortée, le chef du groupe Wagner figure sur la liste des passagers d'un jet qui s'est écrasé mercredi au nord-ouest de Moscou, selon l'agence russe de l'aviation civile. Aucun des dix occupants n'a survécu. Le Kremlin n'a pas commenté ; à Washington, Joe Biden s'est dit « pas surpris ».",
        [R],
        "",
    ),
    (
        "en_surovikin",
        "en",
        None,
        "2023-08-23T12:30:00+00:00",
        "Russian general Surovikin removed as air force chief after mutiny, state media report",
        "General Sergei Surovikin, the former commander of Russian forces in Ukraine who had not been seen in public since Wagner's June mutiny, has been dismissed as head of Russia's aerospace forces, the RIA news agency reported on Wednesday, citing a source. Surovikin, nicknamed 'General Armageddon', was believed to have close ties to Wagner leader Yevgeny Prigozhin.",
        [R],
        "hard negative for H7: Surovikin's dismissal, reported hours before the crash",
    ),
    # ---- H8: explosion on the Crimean bridge, 8 October 2022 ----------------------------
    (
        "uk_H8",
        "uk",
        "H8",
        "2022-10-08T05:30:00+00:00",
        "На Кримському мосту вибух і пожежа: обвалилися прольоти автомобільної частини",
        "Уранці 8 жовтня на Кримському мосту, який Росія збудувала після анексії півострова, стався потужний вибух. На відео видно, як горять цистерни з пальним на залізничній частині, а два прольоти автомобільної дороги частково обвалилися в море. Радник голови Офісу президента Михайло Подоляк написав, що «все незаконне має бути знищене».",
        [R],
        "",
    ),
    (
        "ru_H8",
        "ru",
        "H8",
        "2022-10-08T07:10:00+00:00",
        "На Крымском мосту взорвался грузовик, загорелись цистерны с топливом",
        "Утром в субботу на автомобильной части Крымского моста подорвался грузовик, от взрыва загорелись семь топливных цистерн железнодорожного состава, сообщил Национальный антитеррористический комитет. Частично обрушились два пролёта. Движение по мосту приостановлено, Путин поручил создать правительственную комиссию. По данным СК, погибли три человека.",
        [R],
        "",
    ),
    (
        "en_H8",
        "en",
        "H8",
        "2022-10-08T09:00:00+00:00",
        "Explosion damages Crimea bridge, a key supply route for Russian forces",
        "A huge blast on Saturday partly destroyed the road-and-rail bridge linking Russia to the annexed Crimean peninsula, a symbol of Vladimir Putin's 2014 seizure of the territory and a vital artery for Russian troops fighting in southern Ukraine. Russian officials blamed a truck bomb; three people were killed. Ukraine did not claim responsibility, but officials in Kyiv celebrated.",
        [R],
        "",
    ),
    (
        "fr_H8",
        "fr",
        "H8",
        "2022-10-08T11:45:00+00:00",
        "Le pont de Crimée, symbole de l'annexion, partiellement détruit par une explosion",
        "Une explosion a endommagé samedi matin le pont de Kertch, qui relie la Crimée annexée au territoire russe, au lendemain du 70e anniversaire de Vladimir Poutine. Un camion a explosé sur la partie routière, provoquant l'incendie de wagons-citernes sur la voie ferrée voisine. La circulation a partiellement repris dans la soirée, selon les autorités installées par Moscou.",
        [R],
        "",
    ),
    (
        "ko_H8",
        "ko",
        "H8",
        "2022-10-08T10:20:00+00:00",
        "러시아 본토와 크림반도 잇는 '케르치 대교'서 트럭 폭발…다리 일부 구간 붕괴",
        "러시아 본토와 크림반도를 연결하는 크림대교(케르치 대교)에서 8일 새벽 트럭 폭발로 화재가 발생해 다리 일부가 무너졌다고 러시아 당국이 밝혔다. 이 다리는 러시아가 2014년 크림반도를 강제 병합한 뒤 건설한 것으로, 남부 전선의 러시아군 보급로 역할을 해 왔다. 우크라이나는 공식적으로 배후를 자처하지 않았다. 푸틴 대통령은 정부 조사위원회 구성을 지시했으며, 러시아 수사 당국은 이번 폭발로 3명이 숨졌다고 밝혔다.",
        [R],
        "",
    ),
    (
        "uk_kyiv",
        "uk",
        None,
        "2022-10-10T08:30:00+00:00",
        "Масована ракетна атака по Україні: вибухи у Києві, Львові, Дніпрі та інших містах",
        "Зранку 10 жовтня Росія завдала масованого ракетного удару по Києву та інших містах, зокрема по об'єктах енергетики. У столиці ракети влучили в Шевченківський район, неподалік скляного мосту та університету. Щонайменше 11 людей загинули. Путін назвав удари відповіддю на вибух на Кримському мосту.",
        [R],
        "hard negative for H8: Russia's missile strikes two days after the bridge explosion",
    ),
    (
        "ru_bridge23",
        "ru",
        None,
        "2023-07-17T05:00:00+00:00",
        "Крымский мост снова атакован: погибла супружеская пара, движение перекрыто",
        "В ночь на понедельник Крымский мост подвергся атаке надводных беспилотников, повреждено дорожное полотно автомобильной части, сообщил Национальный антитеррористический комитет. Погибли мужчина и женщина, находившиеся в легковом автомобиле, их дочь получила ранения. Движение по мосту остановлено. Это второй удар по мосту после взрыва в октябре 2022 года.",
        [R],
        "hard negative for H8: the July 2023 drone attack on the same bridge",
    ),
    # ---- H9: Putin wins the March 2024 presidential election ----------------------------
    (
        "ru_H9",
        "ru",
        "H9",
        "2024-03-18T07:00:00+00:00",
        "ЦИК: Путин набрал 87,28% голосов после обработки почти всех протоколов",
        "Владимир Путин побеждает на выборах президента России с результатом 87,28%, сообщила председатель ЦИК Элла Памфилова по итогам обработки 99,8% протоколов. Явка составила 77,44% — рекордная для президентских выборов в современной России. Николай Харитонов получил 4,31%, Владислав Даванков — 3,85%, Леонид Слуцкий — 3,20%.",
        [R],
        "",
    ),
    (
        "en_H9",
        "en",
        "H9",
        "2024-03-17T21:30:00+00:00",
        "Putin claims landslide in Russian election with no real opposition",
        "Vladimir Putin secured a fifth term as Russia's president with a record share of the vote, according to preliminary results released on Sunday night, after a three-day election in which no genuine challenger was allowed to run. Western governments said the vote was neither free nor fair. Putin, speaking at his campaign headquarters, said the result showed Russians' trust in him.",
        [R],
        "",
    ),
    (
        "fr_H9",
        "fr",
        "H9",
        "2024-03-18T06:30:00+00:00",
        "Présidentielle russe : Vladimir Poutine réélu avec plus de 87 % des voix",
        "Sans adversaire réel, le chef du Kremlin a obtenu un cinquième mandat lors d'un scrutin étalé sur trois jours et organisé jusque dans les territoires ukrainiens occupés. Paris, Berlin et Londres ont dénoncé une élection sans pluralisme. Dimanche à midi, de longues files d'attente se sont formées devant des bureaux de vote, en réponse à un appel de l'opposition en hommage à Alexeï Navalny.",
        [R],
        "",
    ),
    (
        "ko_H9",
        "ko",
        "H9",
        "2024-03-18T02:00:00+00:00",
        "푸틴 러시아 대통령, 역대 최고 87% 득표로 5선 확정…2030년까지 집권 길 열려",
        '블라디미르 푸틴 러시아 대통령이 15~17일 치러진 대선에서 87%가 넘는 득표율로 5선에 성공했다고 러시아 중앙선거관리위원회가 18일 밝혔다. 새 임기 6년을 마치면 2030년까지 집권하게 되며, 이는 이오시프 스탈린의 재임 기간을 넘어서는 것이다. 서방은 실질적인 경쟁자가 없는 선거였다고 비판했다. 투표율은 77%를 넘어 역대 최고를 기록했으며, 푸틴 대통령은 선거운동본부에서 연설하며 "러시아 국민의 신뢰"를 강조했다.',
        [R],
        "",
    ),
    (
        "uk_H9",
        "uk",
        "H9",
        "2024-03-18T09:15:00+00:00",
        "Путін оголосив про перемогу на «виборах», Україна та Захід не визнають їхніх результатів",
        "Володимир Путін «переобрався» на п'ятий термін, отримавши, за даними ЦВК Росії, понад 87% голосів. Голосування проводили і на тимчасово окупованих територіях України. Президент Зеленський заявив, що ці «вибори» не мають жодної легітимності, а МЗС закликало світ не визнавати їхні результати.",
        [R],
        "",
    ),
    (
        "en_elect18",
        "en",
        None,
        "2018-03-18T21:00:00+00:00",
        "Putin wins fourth term as Russian president with over 76% of vote",
        "Vladimir Putin won a new six-year term as Russia's president on Sunday with more than 76% of the vote, his biggest margin yet, according to the Central Election Commission. Communist candidate Pavel Grudinin came a distant second. Opposition leader Alexei Navalny, who was barred from running, alleged widespread ballot stuffing. The vote fell on the fourth anniversary of Crimea's annexation.",
        [R],
        "hard negative for H9: the 2018 election, not 2024",
    ),
    # ---- H10: Ukraine's incursion into Russia's Kursk region, August 2024 ---------------
    (
        "uk_H10",
        "uk",
        "H10",
        "2024-08-07T14:00:00+00:00",
        "Бої в Курській області: за даними росЗМІ, українські підрозділи зайшли вглиб Росії",
        "Українські підрозділи другу добу ведуть бої на території Курської області РФ, повідомляють російські військові блогери та Міноборони Росії. За їхніми даними, бої точаться біля Суджі, де розташована газовимірювальна станція. Офіційний Київ операцію не коментує; губернатор Курської області запровадив режим надзвичайної ситуації.",
        [R],
        "",
    ),
    (
        "ru_H10",
        "ru",
        "H10",
        "2024-08-07T10:30:00+00:00",
        "Путин назвал вторжение ВСУ в Курскую область масштабной провокацией",
        "Президент России на совещании с членами правительства назвал проникновение украинских войск в Курскую область «очередной масштабной провокацией». Начальник Генштаба Валерий Герасимов доложил, что продвижение противника вглубь территории остановлено. Губернатор Алексей Смирнов сообщил о погибших среди мирных жителей и эвакуации приграничных районов.",
        [R],
        "",
    ),
    (
        "en_H10a",
        "en",
        "H10",
        "2024-08-07T08:00:00+00:00",
        "Ukrainian troops push into Russia's Kursk region in biggest cross-border attack of the war",
        "Hundreds of Ukrainian soldiers backed by tanks and armoured vehicles crossed into Russia's Kursk region on Tuesday, Russian officials said, in the largest incursion onto Russian soil since the war began in 2022. Fighting was reported near the town of Sudzha, a transit point for Russian gas exports to Europe. Kyiv has not commented on the operation.",
        [R],
        "",
    ),
    (
        "en_H10b",
        "en",
        "H10",
        "2024-08-08T06:30:00+00:00",
        "Russia declares emergency in Kursk as Ukraine's surprise offensive enters third day",
        "Russia's Kursk region declared a state of emergency as Ukrainian forces pressed a surprise incursion that Moscow said it was struggling to contain. Thousands of residents have been evacuated from border districts. Military analysts said Ukrainian units appeared to have advanced up to 10 km, catching Russian commanders off guard, while Kyiv has kept largely silent.",
        [R],
        "",
    ),
    (
        "fr_H10",
        "fr",
        "H10",
        "2024-08-07T16:20:00+00:00",
        "Guerre en Ukraine : l'armée ukrainienne mène une incursion surprise dans la région russe de Koursk",
        "Pour le deuxième jour consécutif, des combats opposent l'armée russe à des troupes ukrainiennes entrées mardi dans la région de Koursk, selon Moscou, qui affirme avoir repoussé l'offensive. Vladimir Poutine a dénoncé une « provocation à grande échelle ». Kiev garde le silence sur cette opération, la plus importante sur le sol russe depuis le début de l'invasion.",
        [R],
        "",
    ),
    (
        "fr_sudzha",
        "fr",
        None,
        "2025-03-13T15:00:00+00:00",
        "Koursk : Moscou affirme avoir repris Soudja, principale ville tenue par l'Ukraine",
        "L'armée russe a annoncé jeudi avoir repris le contrôle de Soudja, la plus grande localité de la région de Koursk occupée par les forces ukrainiennes depuis août 2024. La veille, Vladimir Poutine, en treillis, s'était rendu pour la première fois dans la région et avait exigé que l'ennemi en soit chassé. Kiev n'a pas confirmé le retrait de ses troupes.",
        [R],
        "hard negative for H10: Russia retakes Sudzha seven months after the incursion",
    ),
    # ---- H11: Russia's partial mobilisation, 21 September 2022 --------------------------
    (
        "ru_H11",
        "ru",
        "H11",
        "2022-09-21T06:40:00+00:00",
        "Путин объявил частичную мобилизацию, призовут 300 тысяч резервистов",
        "Президент России Владимир Путин подписал указ о частичной мобилизации, который вступает в силу уже сегодня. Как уточнил министр обороны Сергей Шойгу, призыву подлежат граждане, находящиеся в запасе и имеющие военный опыт; всего планируется призвать 300 тысяч человек. Студентов и срочников мобилизация не коснётся, заверил министр.",
        [R],
        "",
    ),
    (
        "en_H11",
        "en",
        "H11",
        "2022-09-21T09:30:00+00:00",
        "Putin orders Russia's first wartime mobilisation since WW2 and warns West 'it's not a bluff'",
        "Vladimir Putin announced a partial mobilisation of Russian reservists on Wednesday and said Russia would use 'all the means at our disposal' to defend its territory, adding: 'This is not a bluff.' Defence Minister Sergei Shoigu said 300,000 people with military experience would be called up. One-way flights out of Moscow quickly sold out.",
        [R],
        "",
    ),
    (
        "fr_H11",
        "fr",
        "H11",
        "2022-09-21T19:00:00+00:00",
        "Mobilisation partielle en Russie : plus de mille manifestants interpellés",
        "Des manifestations contre la mobilisation partielle annoncée le matin même par Vladimir Poutine ont eu lieu mercredi soir dans une trentaine de villes russes, de Moscou à Irkoutsk. Plus de 1 300 personnes ont été interpellées, selon l'ONG OVD-Info. Le décret prévoit d'appeler sous les drapeaux 300 000 réservistes pour combattre en Ukraine.",
        [R],
        "",
    ),
    (
        "uk_H11",
        "uk",
        "H11",
        "2022-09-21T12:15:00+00:00",
        "Путін оголосив «часткову мобілізацію» в Росії: у Києві кажуть про провал «спецоперації»",
        "Кремль оголосив часткову мобілізацію і планує призвати до війни проти України 300 тисяч резервістів. У зверненні Путін знову погрожував ядерною зброєю. В Офісі президента України заявили, що мобілізація свідчить про провал російського плану, а ЗСУ продовжать звільняти окуповані території.",
        [R],
        "",
    ),
    (
        "en_referendums",
        "en",
        None,
        "2022-09-20T14:00:00+00:00",
        "Russian-installed officials in four Ukrainian regions announce votes on joining Russia",
        "Moscow-backed authorities in Ukraine's Donetsk, Luhansk, Kherson and Zaporizhzhia regions said on Tuesday they would hold referendums on becoming part of Russia on Sept. 23-27. Ukraine and Western governments called the plan a sham that would never be recognised. Former president Dmitry Medvedev said the votes would make any attack on the territories an attack on Russia.",
        [R],
        "hard negative for H11: the referendums announced the day before the mobilisation",
    ),
    # ---- H12: Shoigu in Pyongyang, 26-27 July 2023 --------------------------------------
    (
        "ko_H12",
        "ko",
        "H12",
        "2023-07-27T01:00:00+00:00",
        "김정은, 방북한 쇼이구 러 국방장관에게 무기 전시회 직접 안내…'화성' ICBM도 공개",
        "김정은 북한 국무위원장이 26일 평양을 방문한 세르게이 쇼이구 러시아 국방장관을 접견하고 무장장비 전시회를 함께 관람했다고 조선중앙통신이 27일 보도했다. 전시회에는 대륙간탄도미사일 '화성-18형'과 신형 무인기 등이 등장했다. 러시아 국방장관의 방북은 소련 붕괴 이후 처음이다. 쇼이구 장관은 27일 정전협정 체결 70주년을 맞아 열린 열병식에도 참석할 예정이다. 한미 당국은 북러 간 무기 거래 가능성을 예의주시하고 있다.",
        [K, R],
        "",
    ),
    (
        "ru_H12",
        "ru",
        "H12",
        "2023-07-26T15:00:00+00:00",
        "Шойгу в Пхеньяне встретился с Ким Чен Ыном и передал ему письмо Путина",
        "Министр обороны России Сергей Шойгу, возглавляющий военную делегацию на торжествах по случаю 70-летия окончания Корейской войны, провёл переговоры с председателем КНДР Ким Чен Ыном и вручил ему личное послание Владимира Путина. Стороны обсудили военное сотрудничество и региональную безопасность, сообщило Минобороны РФ.",
        [K, R],
        "",
    ),
    (
        "en_H12",
        "en",
        "H12",
        "2023-07-27T09:00:00+00:00",
        "Kim Jong Un shows off banned missiles to Russia's defence minister Shoigu",
        "North Korean leader Kim Jong Un gave Russian Defence Minister Sergei Shoigu a personal tour of an arms exhibition in Pyongyang featuring the country's newest intercontinental ballistic missiles, state media photos showed on Thursday. Shoigu's trip, the first by a Russian defence chief since the Soviet era, fuelled U.S. concerns that Pyongyang is supplying weapons for Moscow's war in Ukraine.",
        [K, R],
        "",
    ),
    (
        "uk_H12",
        "uk",
        "H12",
        "2023-07-27T11:00:00+00:00",
        "Шойгу в Пхеньяні оглянув північнокорейські ракети: у США підозрюють торгівлю зброєю",
        "Міністр оборони Росії Сергій Шойгу під час візиту до КНДР відвідав разом із Кім Чен Ином виставку озброєнь, де були представлені міжконтинентальні балістичні ракети та нові безпілотники. У Вашингтоні вважають, що Москва шукає в Пхеньяна боєприпаси для війни проти України.",
        [K, R],
        "",
    ),
    # ---- G1: earthquake in Turkey and Syria, 6 February 2023 ----------------------------
    (
        "en_G1",
        "en",
        "G1",
        "2023-02-06T07:30:00+00:00",
        "Powerful 7.8 earthquake strikes Turkey and Syria, killing more than 1,000",
        "A magnitude 7.8 earthquake struck southern Turkey and northwest Syria before dawn on Monday, toppling thousands of buildings and killing more than 1,000 people as residents slept. The quake was centred near Gaziantep and was felt as far away as Cyprus and Lebanon. Rescue workers searched through rubble in freezing rain.",
        [],
        "",
    ),
    (
        "fr_G1",
        "fr",
        "G1",
        "2023-02-06T16:00:00+00:00",
        "Séisme en Turquie et en Syrie : plus de 3 000 morts, une seconde secousse majeure dans l'après-midi",
        "Le bilan du tremblement de terre de magnitude 7,8 qui a frappé lundi le sud-est de la Turquie et le nord de la Syrie dépasse les 3 000 morts. Une nouvelle secousse de magnitude 7,5 a touché la région de Kahramanmaras en début d'après-midi. Le président Recep Tayyip Erdogan a décrété sept jours de deuil national ; des équipes de secours françaises se préparent à partir.",
        [],
        "",
    ),
    (
        "ru_G1",
        "ru",
        "G1",
        "2023-02-06T10:00:00+00:00",
        "Мощное землетрясение в Турции и Сирии: погибли более 2 тысяч человек",
        "Землетрясение магнитудой 7,8 произошло ночью в провинции Кахраманмараш на юге Турции, толчки ощущались также в Сирии, Ливане и на Кипре. Разрушены тысячи зданий в Газиантепе, Хатае, Адане и Алеппо. Турецкие власти запросили международную помощь; МЧС России готовит к вылету группу спасателей.",
        [],
        "Russian rescuers only in passing: not a Russia story",
    ),
    (
        "ko_G1",
        "ko",
        "G1",
        "2023-02-06T12:00:00+00:00",
        "튀르키예 남동부 규모 7.8 강진…시리아 포함 사망자 2천 명 넘어서, 강한 여진도 이어져",
        "6일 새벽 튀르키예 남동부 가지안테프 인근에서 규모 7.8의 강진이 발생해 튀르키예와 시리아에서 2천 명 이상이 숨졌다고 현지 당국이 밝혔다. 수천 채의 건물이 무너졌고, 낮에는 규모 7.5의 강한 지진이 다시 발생했다. 외교부는 현재까지 접수된 한국인 피해는 없다고 밝혔다. 튀르키예 정부는 10개 주에 재난 지역을 선포하고 국제사회에 구조 지원을 요청했다. 에르도안 대통령은 7일간의 국가 애도 기간을 선포했다.",
        [],
        "no Korean victims, a passing mention: not a Korea story",
    ),
    (
        "uk_G1",
        "uk",
        "G1",
        "2023-02-07T06:00:00+00:00",
        "Землетрус у Туреччині та Сирії: кількість загиблих перевищила 5 тисяч",
        "Кількість жертв потужних землетрусів на півдні Туреччини та півночі Сирії зросла до понад 5 тисяч, тисячі людей залишаються під завалами. Через холод і сніг рятувальні роботи ускладнені. Президент Зеленський висловив співчуття турецькому народу й заявив, що Україна готова направити до Туреччини рятувальників ДСНС.",
        [],
        "",
    ),
    (
        "fr_hatay",
        "fr",
        None,
        "2023-02-20T19:30:00+00:00",
        "Turquie : un nouveau séisme de magnitude 6,4 frappe la province de Hatay, deux semaines après",
        "Un tremblement de terre de magnitude 6,4 a secoué lundi soir la province de Hatay, dans le sud de la Turquie, déjà dévastée par le séisme du 6 février. Selon l'agence turque de gestion des catastrophes (AFAD), au moins trois personnes ont été tuées et plus de 200 blessées. La secousse a été ressentie jusqu'en Syrie, en Égypte et au Liban.",
        [],
        "hard negative for G1: the 20 February quake in Hatay",
    ),
    # ---- G2: Macron re-elected, 24 April 2022 --------------------------------------------
    (
        "fr_G2a",
        "fr",
        "G2",
        "2022-04-24T18:30:00+00:00",
        "Emmanuel Macron réélu président de la République face à Marine Le Pen",
        "Emmanuel Macron a été réélu dimanche avec environ 58 % des voix au second tour de l'élection présidentielle, selon les estimations, devenant le premier président sortant reconduit hors cohabitation depuis l'instauration du suffrage universel direct. Marine Le Pen, qui obtient son meilleur score, a reconnu sa défaite tout en revendiquant une « éclatante victoire » pour son camp.",
        [],
        "",
    ),
    (
        "fr_G2b",
        "fr",
        "G2",
        "2022-04-25T06:00:00+00:00",
        "Présidentielle 2022 : une abstention record depuis 1969 pour un second tour",
        "Près de 28 % des électeurs inscrits ne se sont pas rendus aux urnes dimanche pour le duel entre Emmanuel Macron et Marine Le Pen, un niveau inédit pour un second tour depuis 1969. Le président réélu, avec 58,5 % des suffrages exprimés, a promis au Champ-de-Mars d'être « le président de toutes et tous » et de répondre à la colère qui s'est exprimée.",
        [],
        "",
    ),
    (
        "en_G2",
        "en",
        "G2",
        "2022-04-24T19:45:00+00:00",
        "Macron beats Le Pen to win second term as French president",
        "Emmanuel Macron won re-election on Sunday, beating far-right challenger Marine Le Pen by a comfortable margin and becoming the first French president in 20 years to secure a second term. European leaders welcomed the result, which spares the EU a leader hostile to its institutions. Le Pen's score was the highest ever for the far right in a French presidential election.",
        [],
        "",
    ),
    (
        "ru_G2",
        "ru",
        "G2",
        "2022-04-25T04:00:00+00:00",
        "Макрон переизбран президентом Франции, Ле Пен признала поражение",
        "Действующий президент Франции Эммануэль Макрон победил во втором туре президентских выборов, набрав 58,55% голосов, сообщило МВД Франции после подсчёта всех бюллетеней. Его соперница Марин Ле Пен получила 41,45%. Явка оказалась самой низкой для второго тура с 1969 года.",
        [],
        "",
    ),
    (
        "fr_legis",
        "fr",
        None,
        "2022-06-19T21:00:00+00:00",
        "Législatives : Emmanuel Macron perd la majorité absolue, poussée historique du RN",
        "La coalition présidentielle Ensemble arrive en tête du second tour des élections législatives mais, avec environ 245 sièges, reste loin des 289 nécessaires à la majorité absolue à l'Assemblée nationale. La Nupes de Jean-Luc Mélenchon devient la première force d'opposition, tandis que le Rassemblement national de Marine Le Pen obtient 89 députés, un record.",
        [],
        "hard negative for G2: the June 2022 legislative elections",
    ),
    # ---- G3: the Fed's first rate cut since 2020, 18 September 2024 ---------------------
    (
        "en_G3",
        "en",
        "G3",
        "2024-09-18T18:20:00+00:00",
        "Fed cuts interest rates by half a point, its first reduction since 2020",
        "The U.S. Federal Reserve lowered its benchmark rate by 50 basis points to a range of 4.75% to 5.00% on Wednesday, kicking off its first easing cycle in four years as inflation cools and the labour market softens. Policymakers projected a further half point of cuts by the end of the year. Governor Michelle Bowman dissented in favour of a smaller move.",
        [],
        "",
    ),
    (
        "fr_G3",
        "fr",
        "G3",
        "2024-09-18T20:10:00+00:00",
        "La Fed baisse ses taux d'un demi-point, une première depuis le Covid",
        "La Réserve fédérale américaine a abaissé mercredi ses taux directeurs de 0,5 point, à une fourchette de 4,75 % à 5 %, une décision plus forte qu'attendu par une partie des marchés. Son président, Jerome Powell, a assuré que l'économie américaine restait solide et que cette baisse n'était pas une réaction à un risque de récession.",
        [],
        "",
    ),
    (
        "ko_G3",
        "ko",
        "G3",
        "2024-09-18T23:30:00+00:00",
        "美 연준, 4년 반 만에 기준금리 0.5%P 내리는 '빅컷'…한미 금리차 1.5%P로 축소",
        '미국 연방준비제도(Fed)가 18일(현지시간) 연방공개시장위원회(FOMC) 회의를 마치고 기준금리를 연 5.25~5.50%에서 4.75~5.00%로 0.5%포인트 인하했다. 코로나19 대유행 초기인 2020년 3월 이후 4년 6개월 만의 인하다. 이에 따라 한국(3.50%)과 미국 간 기준금리 차이는 최대 1.5%포인트로 줄었다. 제롬 파월 연준 의장은 기자회견에서 "노동시장의 강세를 유지하기 위한 결정"이라고 설명했다.',
        [],
        "borderline: a Korean outlet's Fed story; the Korea-US rate gap is one sentence, so neither",
    ),
    (
        "uk_G3",
        "uk",
        "G3",
        "2024-09-19T06:00:00+00:00",
        "ФРС США вперше з 2020 року знизила облікову ставку — одразу на 0,5 пункта",
        "Федеральна резервна система США знизила базову процентну ставку на 50 базисних пунктів, до діапазону 4,75–5%. Голова ФРС Джером Пауелл заявив, що інфляція наближається до цільових 2%, і регулятор може дозволити собі підтримати ринок праці. Після рішення індекси Волл-стріт спершу зросли, але завершили день у мінусі.",
        [],
        "",
    ),
    (
        "en_boj",
        "en",
        None,
        "2024-09-20T04:00:00+00:00",
        "Bank of Japan holds rates steady at 0.25%, two days after Fed's big cut",
        "The Bank of Japan kept its short-term interest rate unchanged at 0.25% on Friday, as expected, and said it would take time to assess market volatility and the U.S. economic outlook before raising borrowing costs again. The decision came two days after the U.S. Federal Reserve cut rates by half a percentage point. The yen weakened after the announcement.",
        [],
        "hard negative for G3: the Bank of Japan's decision two days later",
    ),
]

# Pairs of different stories about the same people or places (same: false).
NEGATIVES = [
    ("en_H1a", "ko_talks", "Singapore summit vs inter-Korean general-level talks two days later"),
    ("ko_H1", "ko_talks", "Singapore summit vs inter-Korean general-level talks two days later"),
    ("en_H1a", "en_H2", "Singapore summit (June 2018) vs Hanoi summit (Feb 2019)"),
    ("ko_H1", "ko_H2a", "Singapore summit (June 2018) vs Hanoi summit (Feb 2019)"),
    ("ru_H1", "uk_H2", "Singapore summit (June 2018) vs Hanoi summit (Feb 2019)"),
    ("en_H2", "en_dmz", "Hanoi summit (Feb 2019) vs DMZ meeting (June 2019)"),
    ("ru_H3", "ru_hotline", "liaison office blown up vs all lines cut a week earlier"),
    ("ko_H3", "ko_troops", "liaison office blown up vs troop deployment announced next day"),
    ("en_H3", "ko_troops", "liaison office blown up vs troop deployment announced next day"),
    ("ko_H4", "ko_sat_aug", "first failed satellite launch (May 2023) vs second (Aug 2023)"),
    ("en_H4", "en_nk_july", "satellite launch (May 2023) vs ballistic missiles (July 2023)"),
    ("ko_H5b", "ko_nk_nov", "Itaewon crush vs missile south of the NLL three days later"),
    ("en_H5", "ko_nk_nov", "Itaewon crush vs missile south of the NLL three days later"),
    ("ru_H6a", "ru_H7", "Wagner mutiny (June 2023) vs Prigozhin's plane crash (Aug 2023)"),
    ("en_H6", "en_H7", "Wagner mutiny (June 2023) vs Prigozhin's plane crash (Aug 2023)"),
    ("uk_H6", "uk_H7a", "Wagner mutiny (June 2023) vs Prigozhin's plane crash (Aug 2023)"),
    ("ru_H6b", "ru_bakhmut", "Wagner mutiny vs Prigozhin's Bakhmut threat in May"),
    ("en_H7", "en_surovikin", "Prigozhin's plane crash vs Surovikin's dismissal the same day"),
    ("uk_H8", "uk_kyiv", "Crimean bridge explosion vs missile strikes on Kyiv two days later"),
    ("ru_H8", "ru_bridge23", "Crimean bridge explosion (Oct 2022) vs drone attack (July 2023)"),
    ("en_H9", "en_elect18", "Putin's 2024 election result vs his 2018 result"),
    ("fr_H10", "fr_sudzha", "Kursk incursion (Aug 2024) vs Russia retaking Sudzha (Mar 2025)"),
    ("en_H11", "en_referendums", "mobilisation vs annexation referendums announced the day before"),
    ("ru_H11", "en_referendums", "mobilisation vs annexation referendums announced the day before"),
    ("en_H12", "en_nk_july", "Shoigu in Pyongyang vs missile launch two days earlier"),
    ("fr_G1", "fr_hatay", "6 Feb earthquake vs the 20 Feb Hatay earthquake"),
    ("fr_G2a", "fr_legis", "Macron's re-election vs the legislative elections two months later"),
    ("en_G3", "en_boj", "Fed rate cut vs Bank of Japan hold two days later"),
]


def check(items, pairs):
    """Formats and the brief's constraints; raises AssertionError when one is broken."""
    keys = [x[0] for x in HELDOUT]
    assert len(keys) == len(set(keys)), "duplicate keys"
    for key, lang, _story, when, title, text, themes, _note in HELDOUT:
        assert lang in {"en", "fr", "ko", "ru", "uk"}, key
        assert 40 <= len(title) <= 110, (key, len(title))
        assert 200 <= len(text) <= 600, (key, len(text))
        assert set(themes) <= {K, R}, key
        assert datetime.fromisoformat(when).utcoffset().total_seconds() == 0, key
    langs = Counter(x["lang"] for x in items)
    assert all(langs[lang] >= 8 for lang in ("en", "fr", "ko", "ru", "uk")), langs
    groups = defaultdict(list)
    for _key, _lang, story, when, *_ in HELDOUT:
        if story:
            groups[story].append(datetime.fromisoformat(when))
    for story, times in groups.items():
        assert 3 <= len(times) <= 6, story
        assert (max(times) - min(times)).days <= 2, story
    seen = set()
    for p in pairs:
        k = frozenset((p["a"], p["b"]))
        assert k not in seen and len(k) == 2, p
        seen.add(k)


def build():
    items, ids, story = [], {}, {}
    for n, (key, lang, st, when, title, text, themes, note) in enumerate(HELDOUT):
        iid = f"heldout#{n}"
        ids[key] = iid
        story[iid] = st
        item = {
            "id": iid,
            "feed": FEED,
            "lang": lang,
            "title": title,
            "text": text,
            "themes": themes,
            "published": datetime.fromisoformat(when).isoformat(),
        }
        if note:
            item["note"] = note
        items.append(item)
    pairs = []
    members = defaultdict(list)
    for x in items:
        if story[x["id"]]:
            members[story[x["id"]]].append(x["id"])
    for st, group in members.items():
        for i in range(len(group)):
            for j in range(i + 1, len(group)):
                pairs.append(
                    {"a": group[i], "b": group[j], "same": True, "note": f"same story ({st})"}
                )
    for a, b, note in NEGATIVES:
        assert story[ids[a]] is None or story[ids[b]] is None or story[ids[a]] != story[ids[b]]
        pairs.append({"a": ids[a], "b": ids[b], "same": False, "note": note})
    return items, pairs, members


def main():
    items, pairs, groups = build()
    check(items, pairs)
    for name, rows in (("heldout.jsonl", items), ("heldout_pairs.jsonl", pairs)):
        with open(HERE / name, "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    lang = {x["id"]: x["lang"] for x in items}
    print(f"== heldout.jsonl: {len(items)} items, {len(groups)} story groups")
    for code, n in sorted(Counter(lang.values()).items()):
        rows = [x for x in items if x["lang"] == code]
        k = sum(K in x["themes"] for x in rows)
        r = sum(R in x["themes"] for x in rows)
        both = sum(K in x["themes"] and R in x["themes"] for x in rows)
        print(f"  {code}: {n:3d} items  korean-peninsula {k:3d}  russia {r:3d}  both {both:3d}")
    print(
        f"  total korean-peninsula {sum(K in x['themes'] for x in items)}"
        f"  russia {sum(R in x['themes'] for x in items)}"
        f"  neither {sum(not x['themes'] for x in items)}"
    )
    pos = [p for p in pairs if p["same"]]
    within = sum(lang[p["a"]] == lang[p["b"]] for p in pos)
    neg = [p for p in pairs if not p["same"]]
    neg_within = sum(lang[p["a"]] == lang[p["b"]] for p in neg)
    print(
        f"== heldout_pairs.jsonl: {len(pairs)} pairs: {len(pos)} same"
        f" ({within} in one language, {len(pos) - within} across),"
        f" {len(neg)} different ({neg_within} in one language)"
    )
    same_lang_groups = sum(1 for g in groups.values() if len({lang[i] for i in g}) < len(g))
    print(f"   story groups with two or more items in one language: {same_lang_groups}")


if __name__ == "__main__":
    sys.exit(main())
