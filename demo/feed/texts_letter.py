# -*- coding: utf-8 -*-
"""Hand-written letters for the demonstration feed (read by build_feed.py).

Each item: n, lang, cx, dept (expert label), text (the letter as written),
noise (OCR noise level, 0 = clean scan), width (line width the scan breaks paragraphs at).
build_feed.py wraps long lines at `width` and adds deterministic OCR noise; it never touches
tokens that contain digits, so CPR numbers, dates and postcodes stay readable.
"""

ITEMS = [
dict(n=1, lang="da", cx="simple", dept="OKF", noise=0.05, width=58, text="""
Kaj Henriksen
Bryggervangen 31, 1.th.
2100 København Ø

København, 10. november 2026

Til Borgerservice

Jeg har tabt mit gule sygesikringskort da jeg var på posthuset, og jeg har ikke nogen computer. Kan I sende mig et nyt med posten. Mit personnummer er 180839-1107.

Jeg har også en ny læge fordi den gamle er gået på pension, så det nye kort skal have den nye læge på, det er Lægehuset på Nordre Frihavnsgade.

Med venlig hilsen

Kaj Henriksen
"""),

dict(n=2, lang="da", cx="specialist", dept="SUF", noise=0.02, width=70, text="""
Inga Sørensen
Sundholmsvej 12, 2. tv.
2300 København S
Tlf. 32 57 18 40

København, 9. november 2026

Københavns Kommune
Sundheds- og Omsorgsforvaltningen
Visitationen

Vedr.: Klage over afslag på plejebolig - CPR 021135-2944

Jeg har modtaget jeres afgørelse af 28. oktober, hvor I giver mig afslag på plejebolig med den begrundelse, at mit behov kan dækkes med hjemmehjælp og nødkald.

Jeg er 90 år og bor alene på 2. sal uden elevator. Jeg har ikke været nede på gaden siden august, fordi jeg ikke kan klare trapperne. Jeg er faldet to gange i år, og sidste gang lå jeg i fire timer, før hjemmehjælperen fandt mig. Jeg er bange om natten.

Jeg beder om, at I ser på sagen igen. Min søn, Carsten Sørensen, tlf. 21 66 40 17, må gerne deltage i et møde, og I må gerne ringe til ham.

Med venlig hilsen

Inga Sørensen
"""),

dict(n=3, lang="da", cx="simple", dept="TMF", noise=0.04, width=62, text="""
Erna Bjerre
Ellebjergvej 142
2450 København SV

13. november 2026

Til Teknik- og Miljøforvaltningen, affald

Jeg er 86 år og går med rollator. Nu skal vi sortere affaldet i mange spande, og de står nede i gården bag ved cykelskuret, og der er tre trin. Jeg kan ikke komme derned med poserne.

Kan der gøres noget, fx at jeg kan få en lille spand ved trappen, eller at nogen kan tage det med? Jeg har talt med viceværten, men han siger det er kommunen.

Venlig hilsen
Erna Bjerre
"""),

dict(n=4, lang="da", cx="simple", dept="OKF", noise=0.0, width=72, text="""
Arne Vilhelmsen
Grøndals Parkvej 23
2720 Vanløse

Vanløse, den 11. november 2026

Københavns Kommune
Borgerservice

Ansøgning om fritagelse for Digital Post

Jeg ønsker hermed at blive fritaget for Digital Post. Jeg er 84 år, har ingen computer eller smartphone, og min hukommelse er ikke så god længere. Jeg har fået at vide, at jeg har fået breve i "e-Boks", som jeg aldrig har set, blandt andet fra lægen.

Jeg vil gerne have al post fra det offentlige med almindelig post til min adresse, og jeg vil gerne have svar på dette brev med posten.

Med venlig hilsen

Arne Vilhelmsen
"""),

dict(n=5, lang="da", cx="specialist", dept="SOF", noise=0.06, width=60, text="""
Svend Aage Krogh
Kildevældsgade 44, 3. th.
2100 København Ø

København, 12. november 2026

Socialforvaltningen
Hjælpemidler og boligændringer

KLAGE

Jeg klager over at I ikke vil give mig en trappelift. Min kone og jeg har boet her i 41 år. Jeg har parkinsons og kan ikke gå op ad trapperne mere uden at min kone holder mig, og hun er selv 80. I skriver vi kan søge en anden bolig. Vi vil ikke flytte fra vores hjem og vores naboer.

Jeg har ringet tre gange men får ikke fat i nogen. Mit cpr nr er 0507411359.

Jeg vil have at sagen bliver set på igen af en anden end den der har skrevet afslaget.

Svend Aage Krogh
"""),

dict(n=6, lang="en", cx="simple", dept="OKF", noise=0.0, width=74, text="""
Margaret Ellison
Nørre Farimagsgade 61, 4.
1364 Copenhagen K

Copenhagen, 6 November 2026

Københavns Kommune
Citizen Service

Life certificate for my UK pension

Dear Sir or Madam,

I receive a small occupational pension from the United Kingdom, and the pension provider requires a life certificate signed by an official each year. Enclosed is the form. Could you please complete and stamp it, or tell me where I should go to have it done?

I do not use a computer, so I would be grateful for a reply by post.

Yours faithfully,

Margaret Ellison
"""),

dict(n=7, lang="da", cx="simple", dept="BUF", noise=0.0, width=70, text="""
Martin og Louise Frost
Carl Plougs Vej 5, st. th.
1813 Frederiksberg C

12. november 2026

Københavns Kommune
Børne- og Ungdomsforvaltningen, Pladsanvisningen

Opsigelse af børnehaveplads

Vi opsiger hermed vores søn Oskar Frosts plads i Børnehuset Trekløveren, Valby, da vi er flyttet til Frederiksberg og han starter i børnehave her fra 1. januar 2027.

Vi beder om bekræftelse på, at betalingen stopper med udgangen af december.

Med venlig hilsen

Martin Frost        Louise Frost
"""),

dict(n=8, lang="da", cx="specialist", dept="BIF", noise=0.0, width=76, text="""
Advokatfirmaet Lindholm & Steen
Amaliegade 18, 2.
1256 København K
Tlf. 33 12 80 40

København, den 13. november 2026

Jobcenter København
Ydelsesafdelingen

Deres j.nr.: 2026-0412873
Vor ref.: KS/4471-26

Klient: Nadia Farah, CPR 230494-3310
Klage over sanktion i kontanthjælp

Undertegnede repræsenterer Nadia Farah i ovennævnte sag, jf. vedlagte fuldmagt.

Ved afgørelse af 2. november 2026 er der foretaget fradrag i min klients kontanthjælp for tre dages udeblivelse fra et tilbud. Min klient har dokumenteret, at hun på de pågældende dage var indlagt på Hvidovre Hospital, og at hun dagen før indlæggelsen telefonisk meddelte jobcentret dette.

Der er således tale om en rimelig grund til udeblivelsen, og sanktionen savner hjemmel. Det gøres endvidere gældende, at min klient ikke er partshørt forud for afgørelsen.

Vi anmoder om, at afgørelsen genvurderes, og at det tilbageholdte beløb efterbetales. Fastholdes afgørelsen, anmodes om, at sagen videresendes til Ankestyrelsen. Vi anmoder samtidig om aktindsigt i sagens dokumenter.

Med venlig hilsen

Karin Steen
advokat
"""),

dict(n=9, lang="da", cx="simple", dept="KFF", noise=0.05, width=56, text="""
Gerda Lund
Søborghusvej 8
2400 København NV

d. 14/11-2026

Kære bibliotek

Jeg har hørt at man kan få bøger bragt ud hvis man ikke selv kan komme på biblioteket. Jeg kan ikke gå så langt mere efter min blodprop, men jeg læser stadig meget, helst krimier og store bogstaver.

Hvordan kommer jeg med i den ordning, og koster det noget?

Mange hilsner
Gerda Lund
tlf 38 10 27 44
"""),

dict(n=10, lang="da", cx="simple", dept="SUF", noise=0.03, width=64, text="""
Valdemar Friis
Ryesgade 77, 1. tv.
2100 København Ø

København, 10. november 2026

Til hjemmeplejen

Jeg skal på ferie hos min datter i Jylland fra den 18. december til den 4. januar. Så skal I ikke komme i den periode, hverken morgen eller aften, og heller ikke med maden.

Min datter henter mig den 18. om morgenen, så hjælperen må gerne komme kl. 7 den dag som sædvanlig.

Venlig hilsen
Valdemar Friis
"""),

dict(n=11, lang="da", cx="specialist", dept="TMF", noise=0.0, width=74, text="""
Peter og Hanne Vestergaard
Ingolfs Allé 19
2300 København S

København, 5. november 2026

Københavns Kommune
Teknik- og Miljøforvaltningen
Byggesager

Ansøgning om dispensation - kvist mod gaden

Vi ansøger hermed om dispensation fra lokalplanens bestemmelser om tagudformning, så vi kan etablere en kvist på ca. 3,2 m bredde på tagfladen mod gaden.

Vores rækkehus er det eneste i rækken uden kvist mod gaden; de øvrige har fået tilladelse i 1990'erne, før den nuværende lokalplan. Kvisten vil blive udført i samme udformning og materialer som naboernes, så gadebilledet bliver ensartet.

Vedlagt er tegninger fra vores rådgiver samt fotos af naboejendommene. Vi håber på en positiv behandling og hører gerne, om der skal foretages naboorientering.

Med venlig hilsen

Peter Vestergaard        Hanne Vestergaard
"""),

dict(n=12, lang="da", cx="simple", dept="OKF", noise=0.04, width=60, text="""
Tage Nørgaard
Bellahøjvej 117, 7. mf.
2720 Vanløse

Vanløse d. 9 november 2026

Til kommunens opkrævning

Jeg har fået brev om en regning som jeg skal betale med "OCR-linje" over netbank. Jeg har ingen netbank. Kan I sende mig et girokort i stedet så jeg kan betale på posthuset eller i banken?

Fakturanummeret er 77124409.

Venlig hilsen
Tage Nørgaard
"""),

dict(n=13, lang="en", cx="simple", dept="KFF", noise=0.0, width=72, text="""
Copenhagen International Choir
c/o Helen McAllister
Amager Boulevard 104, 3. th.
2300 Copenhagen S

Copenhagen, 10 November 2026

Kulturhuset Islands Brygge
Booking

Request to book the concert hall

Dear booking team,

Our choir (48 singers, a registered association) would like to book the concert hall at Kulturhuset Islands Brygge for a Christmas concert on Sunday 13 December 2026, from 14:00 to 18:00 including rehearsal.

Could you let us know whether the hall is available, the price for a non-profit association, and whether a piano is available? We expect about 150 guests and would not charge admission.

Yours sincerely,

Helen McAllister
Chair
helen.mcallister@gmail.com
"""),

dict(n=14, lang="da", cx="specialist", dept="OKF", noise=0.0, width=70, text="""
Rasmus Thygesen
Ragnhildgade 40, st. tv.
2100 København Ø

København, 11. november 2026

Københavns Kommune
Økonomiforvaltningen, Opkrævningen

Vedr. kommunalt lån - anmodning om henstand
CPR-nr. 110968-2215

Jeg har et lån hos kommunen (lån til betaling af husleje fra 2023), hvor restgælden er 21.650 kr. Jeg har afdraget med 900 kr. om måneden.

I september blev jeg ramt af en hjerneblødning og har været indlagt i seks uger. Jeg er nu på sygedagpenge, og min indtægt er faldet med næsten halvdelen. Jeg kan ikke betale afdragene, som situationen er nu.

Jeg beder om henstand med betalingen i et halvt år, til jeg ved mere om, hvordan det går med min genoptræning. Jeg kan sende dokumentation fra hospitalet og min budgetoversigt.

Med venlig hilsen

Rasmus Thygesen
"""),

dict(n=15, lang="da", cx="simple", dept="SOF", noise=0.05, width=58, text="""
Herdis Poulsen
Vigerslevvej 210, 1. th.
2500 Valby

den 12. november 2026

Til kommunen

Jeg er 71 år og folkepensionist. Jeg har hørt i radioen at pensionen stiger til nytår. Hvor meget stiger den, og skal jeg selv søge om det? Jeg får også boligstøtte, skal jeg give besked?

Med venlig hilsen
Herdis Poulsen
"""),

dict(n=16, lang="da", cx="simple", dept="TMF", noise=0.03, width=66, text="""
Grundejerforeningen Kirsebærhaven
v/ formand Leif Bundgaard
Kirsebærvej 2
2500 Valby

Valby, 16. november 2026

Københavns Kommune, Vej og Park

Manglende snerydning på stien

Sidste vinter blev stien mellem Kirsebærvej og Gammel Køge Landevej ikke ryddet for sne og is i flere uger. Stien bruges af mange skolebørn og ældre, og to beboere faldt.

Vi vil gerne vide, om stien er med i kommunens vinterberedskab, og hvem vi skal kontakte, hvis den ikke bliver ryddet i år.

Med venlig hilsen
Leif Bundgaard
"""),

dict(n=17, lang="da", cx="specialist", dept="BUF", noise=0.0, width=74, text="""
Camilla og Jesper Aagaard
Tårnborgvej 12, 1. th.
2400 København NV

København, 8. november 2026

Børne- og Ungdomsforvaltningen
Center for Specialundervisning

Klage over afslag på specialklasse - vores søn Lucas Aagaard (8 år)

Vi har den 30. oktober modtaget afgørelse om, at Lucas ikke visiteres til specialklasse, men fortsætter i sin almindelige klasse med 6 timers støtte om ugen.

Lucas har diagnoserne ADHD og generel angst. Han har i dette skoleår haft 41 % fravær. Han kan ikke rumme en klasse med 27 elever og har flere gange løbet fra skolen. Skolens egen pædagogiske psykolog anbefalede i sin udtalelse et mindre tilbud. Vi forstår ikke, hvorfor kommunen ikke følger den anbefaling.

Vi klager derfor over afgørelsen og beder om, at den genvurderes. Fastholder kommunen afgørelsen, skal klagen videresendes til Klagenævnet for Specialundervisning.

Med venlig hilsen

Camilla Aagaard        Jesper Aagaard
"""),

dict(n=18, lang="en", cx="simple", dept="OKF", noise=0.03, width=68, text="""
Thomas and Ruth Whitaker
14 Abbey Road
Cambridge CB5 8HQ
United Kingdom

Cambridge, 2 November 2026

Copenhagen City Hall
Marriage Office

Dear Sir or Madam,

We were married at Copenhagen City Hall on 12 June 1998. We have lost our marriage certificate and need a copy for a property matter in the UK.

Could you please tell us how to obtain a certified copy, preferably in English, and what the fee is? We can pay by bank transfer.

Yours faithfully,
Thomas Whitaker
"""),

dict(n=19, lang="da", cx="simple", dept="BIF", noise=0.04, width=60, text="""
Mustafa Khan
Blågårdsgade 9, 4. tv.
2200 København N

13-11-2026

Til jobcenteret

Jeg vil informere at jeg er flyttet til ny adresse (den ovenfor) fra 1. november. Før boede jeg på Rovsingsgade. Jeg får kontanthjælp. Jeg har også meldt flytning på borger.dk.

Jeg vil også gerne have at min nye rådgiver ringer til mig, jeg ved ikke hvem det er nu. Tlf. 50 24 77 13.

Mvh Mustafa Khan
"""),

dict(n=20, lang="da", cx="specialist", dept="SUF", noise=0.0, width=74, text="""
Lisbeth Storm
Frederikssundsvej 220, 2. tv.
2700 Brønshøj

Brønshøj, 15. november 2026

Sundheds- og Omsorgsforvaltningen
Att.: Leder af hjemmeplejen, Brønshøj-Husum

Klage over medicinering af min mor, Agnete Storm

Min mor er 89 år og får hjælp til medicin fire gange dagligt. Den 9. november fandt jeg hendes dosisæske for hele ugen urørt, og hun havde ikke fået sin blodfortyndende medicin i tre dage. Den 12. november fik hun til gengæld dobbelt dosis af sin sovemedicin og var helt omtåget, da jeg kom.

Jeg har ringet til hjemmeplejen to gange og fået at vide, at det "bliver undersøgt". Det er ikke godt nok. Jeg ønsker en skriftlig redegørelse for, hvad der er sket, og hvad I gør for at det ikke sker igen. Jeg overvejer også at indgive klage til Styrelsen for Patientsikkerhed.

Med venlig hilsen

Lisbeth Storm
tlf. 27 31 08 55
"""),

dict(n=21, lang="da", cx="simple", dept="OKF", noise=0.0, width=72, text="""
Ib Christoffersen
Bispebjerg Bakke 4, 2. th.
2400 København NV

København, 12. november 2026

Borgerservice

Jeg skal bruge en bopælsattest til min pensionskasse, der vil have dokumentation for min adresse. Vil I sende den til mig med posten? Jeg vedlægger en frankeret svarkuvert.

Med venlig hilsen
Ib Christoffersen
"""),

dict(n=22, lang="en", cx="specialist", dept="SOF", noise=0.0, width=76, text="""
Susan Porter
Dronningensgade 31, st.
1420 Copenhagen K

Copenhagen, 9 November 2026

Københavns Kommune
Social Services - Housing Adaptations
Your ref.: 26-0774521

Dear caseworker,

I am writing about my application for adaptation of my flat, which I submitted in June. Since a spinal cord injury in January I use a wheelchair full time. I cannot get through the bathroom door, and I have to wash at the kitchen sink. The occupational therapist visited in August and agreed that the door must be widened and the shower threshold removed.

Since then I have heard nothing, and when I call, I am told the case is "in progress". My landlord has agreed to the changes in writing (enclosed).

I would ask for a decision as soon as possible, or at least a date for when I can expect one. I have a hearing impairment as well, so please write to me rather than calling.

Yours sincerely,

Susan Porter
"""),

dict(n=23, lang="da", cx="simple", dept="BUF", noise=0.04, width=64, text="""
Nadia Petersen
Hillerødgade 62, 3. tv.
2200 København N

København d. 10/11 2026

Til pladsanvisningen

Jeg har tre børn, to i institution (Emma i børnehave og Noah i fritidshjem) og lille Ida starter i vuggestue til januar. Jeg vil gerne spørge om vi får søskenderabat for alle tre, og om jeg skal søge om det.

Hilsen
Nadia Petersen
"""),

dict(n=24, lang="da", cx="simple", dept="SUF", noise=0.07, width=56, text="""
Elna Kristoffersen
Lyngbyvej 88, 4. th.
2100 København Ø

14 nov 2026

Til kommunen

Min datter siger jeg skal have sådan en nødkald-knap om halsen fordi jeg bor alene og er faldet. Hvordan får man det og hvad koster det. Jeg har ikke computer.

venlig hilsen Elna Kristoffersen
tlf 39 18 62 05
"""),

dict(n=25, lang="da", cx="simple", dept="TMF", noise=0.02, width=70, text="""
Holger Brink
Vigerslev Allé 301
2500 Valby

Valby, 15. november 2026

Københavns Kommune, Park og Vej

Det store træ på fortovet ud for mit hus hælder mere og mere ind mod huset, og efter stormen i oktober er der kommet en stor revne i stammen. Jeg er bange for at det vælter ind over taget eller over en bil.

Vil I sende nogen ud og se på det?

Venlig hilsen
Holger Brink
tlf. 36 44 19 07
"""),

dict(n=26, lang="en", cx="simple", dept="BIF", noise=0.0, width=72, text="""
Deepa Krishnan
Njalsgade 21, 5. tv.
2300 Copenhagen S

Copenhagen, 11 November 2026

Jobcenter Copenhagen / Danish Education

Dear Sir or Madam,

My husband works in Copenhagen as a software engineer and I joined him in September as an accompanying family member. I would like to learn Danish so that I can look for work here.

Am I entitled to Danish classes, and is there a fee or deposit for family members? I would prefer classes in the daytime while my children are at school.

Thank you in advance.

Yours sincerely,
Deepa Krishnan
deepa.krishnan@gmail.com
"""),

dict(n=27, lang="da", cx="simple", dept="KFF", noise=0.0, width=72, text="""
Valby Petanqueklub
v/ kasserer Bent Hjorth
Valby Langgade 150
2500 Valby

Valby, 12. november 2026

Kultur- og Fritidsforvaltningen
Foreningstilskud

Aflevering af regnskab 2025/26

Hermed fremsendes klubbens godkendte regnskab for sæsonen 2025/26 samt medlemsliste, som grundlag for aktivitetstilskud. Klubben har 62 medlemmer, heraf 9 under 25 år.

Regnskabet er godkendt på generalforsamlingen den 28. oktober. Giv venligst besked, hvis der mangler noget.

Med venlig hilsen
Bent Hjorth
kasserer
"""),

dict(n=28, lang="da", cx="simple", dept="SUF", noise=0.03, width=62, text="""
Else Marie Dahl
Vanløse Allé 50
2720 Vanløse

Vanløse den 16. november 2026

Til kommunen, hjemmeplejen og madservice

Min mand, Knud Dahl, døde den 8. november. Han fik hjemmehjælp og mad udbragt. Vil I venligst stoppe det hele. Der står stadig en kørestol og en seng fra kommunen, som I gerne må hente.

Jeg takker for den gode hjælp han har fået.

Venlig hilsen
Else Marie Dahl
"""),

dict(n=29, lang="en", cx="simple", dept="TMF", noise=0.0, width=72, text="""
Richard Owen
Holmbladsgade 91, 2. tv.
2300 Copenhagen S

Copenhagen, 13 November 2026

Copenhagen Municipality, Waste Collection

Dear Sir or Madam,

After every collection on Holmbladsgade, the waste containers are left standing in the middle of the pavement instead of being put back in the courtyard. I use a wheelchair and several times I have not been able to pass and have had to go out onto the road.

Please ask the collection crew to put the containers back where they belong.

Yours faithfully,
Richard Owen
"""),

dict(n=30, lang="da", cx="specialist", dept="SOF", noise=0.02, width=70, text="""
Thomas Lindhardt
Tingbjerg Allé 39, 2. tv.
2700 Brønshøj

Brønshøj, 10. november 2026

Socialforvaltningen
Borgercenter Handicap

Klage over afslag på BPA-ordning

Jeg har den 27. oktober fået afslag på at få min hjælp tilrettelagt som borgerstyret personlig assistance. I skriver, at jeg ikke kan fungere som arbejdsleder. Det er direkte forkert og ydmygende.

Jeg har muskelsvind og sidder i el-kørestol, men der er intet i vejen med mit hoved. Jeg har en kandidatgrad i økonomi og har i syv år styret mine egne hjælpere på et privat arrangement, indtil min far døde i foråret. Nu får jeg hjemmepleje med skiftende personale, og jeg kan ikke planlægge noget som helst - ikke arbejde, ikke studere, ikke se mine venner.

I har ikke talt med mig om arbejdslederrollen. Sagsbehandleren har været her én gang i 35 minutter. Jeg kræver, at afgørelsen genvurderes, og at jeg får et møde, hvor min bisidder kan deltage. Fastholder I afslaget, skal klagen sendes til Ankestyrelsen.

Thomas Lindhardt
"""),
]
