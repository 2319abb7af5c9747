# -*- coding: utf-8 -*-
"""Hand-written e-mail inquiries for the demonstration feed (read by build_feed.py).

Each item: n (file number), lang, cx (complexity), dept (expert label), kind (MIME shape),
frm (display name, address), to, subject, body, optional sig, at (local time), extra headers.

kind: plain | alt (text + html) | html (html only) | qp | b64 (transfer encodings)
      | latin1 (hand-assembled iso-8859-1 Outlook message)
"""

ITEMS = [
dict(n=1, lang="da", cx="simple", dept="OKF", kind="plain",
     frm=("Birthe Madsen", "birthe.m@live.dk"), to="borgerservice@kk.dk",
     subject="Pas",
     body="""
Hej

Mit pas udløber den 3. januar, og min mand og jeg skal til Thailand den 12. februar. Kan jeg nå at få et nyt inden? Og skal jeg bestille tid, eller kan jeg bare komme ind på Rådhuset?

Jeg har et billede fra fotografen fra sidste år, kan det bruges?

Venlig hilsen
Birthe Madsen
"""),

dict(n=2, lang="en", cx="simple", dept="OKF", kind="alt",
     frm=("Rahul Iyer", "rahul.iyer@protonmail.com"), to="borgerservice@kk.dk",
     subject="Yellow health card not received",
     body="""
Dear Citizen Service,

I moved to Copenhagen on 1 October on a Pay Limit work permit and got my CPR number at International House on 9 October. I was told the yellow health card (sundhedskort) would arrive by post within two weeks, but it has now been more than five weeks and nothing has come. My name is on the mailbox.

I have an appointment with a doctor next week and the clinic is asking for the card. Can you tell me if it was sent, and whether I can get a temporary or digital card in the meantime?

Thank you in advance.
""",
     sig="""Best regards,
Rahul Iyer
Ørestads Boulevard 61, 4. tv., 2300 København S"""),

dict(n=3, lang="da", cx="simple", dept="TMF", kind="plain", at="2026-11-23 07:12:09",
     frm=("Kasper Lund", "kasperlund@hotmail.com"), to="affald@kk.dk",
     subject="Storskrald ikke hentet - Nørrebrogade 142",
     body="""
Hej

Vi bestilte afhentning af storskrald til i fredags (en sofa og to madrasser), men det står der stadig, og nu har det regnet hele weekenden. Ordrenummer er SK-2026-118734. Kan I sende nogen forbi? Naboerne er ved at være sure.

Mvh Kasper, 3. sal
"""),

dict(n=4, lang="da", cx="specialist", dept="SOF", kind="qp",
     frm=("Lene Thorsen", "lene.thorsen@mail.dk"), to="hjaelpemiddelcentret@sof.kk.dk",
     subject="Klage over afslag på el-kørestol – sagsnr. 26-0881142",
     body="""
Til Hjælpemiddelcentret

Jeg vil hermed klage over jeres afgørelse af 29. oktober 2026, hvor I har givet afslag på min ansøgning om en el-kørestol (sagsnr. 26-0881142). Mit CPR-nr. er 140352-1238.

I skriver, at jeg kan klare mig med min manuelle kørestol og rollator indendørs. Det er ikke rigtigt. Efter min anden blodprop i februar har jeg ikke kræfter i venstre arm, og jeg kan ikke selv skubbe mig frem mere end et par meter. Det betyder, at jeg ikke kan komme til købmanden, til lægen eller ned i gården, uden at min datter er der, og hun arbejder i Roskilde.

Jeg mener ikke, at I har set på min situation, som den er nu. Ergoterapeuten var her i 20 minutter i august, før jeg fik det værre. Jeg beder om, at sagen bliver vurderet igen, og hvis I fastholder afslaget, at den bliver sendt videre til Ankestyrelsen.

Min egen læge kan bekræfte det, jeg skriver.
""",
     sig="""Med venlig hilsen
Lene Thorsen
Classensgade 22, st. th.
2100 København Ø
Tlf. 35 26 71 09"""),

dict(n=5, lang="da", cx="simple", dept="BUF", kind="alt",
     frm=("Sofie Krag Nielsen", "sofiekrag@gmail.com"), to="pladsanvisningen@buf.kk.dk",
     subject="Hvor står vi på ventelisten?",
     body="""
Hej Pladsanvisningen

Vi skrev vores datter Alma op til vuggestue i juni med ønske om start 1. februar 2027. Så vidt jeg har forstået, har hun pladsgaranti, fra hun er 26 uger. Kan I fortælle, hvor vi står på ventelisten til vores 1. prioritet (Vuggestuen Mælkebøtten på Vesterbro), og hvornår vi senest får besked om en plads? Jeg skal give min arbejdsplads besked om, hvornår min barsel slutter.

På forhånd tak!
Sofie

Sendt fra min iPhone
"""),

dict(n=6, lang="en", cx="simple", dept="TMF", kind="plain",
     frm=("Marco Bellini", "m.bellini@outlook.it"), to="parkering@kk.dk",
     subject="Residential parking permit - leased car",
     body="""
Hello,

I live on Istedgade 70 and my company is giving me a leased car from 1 December. The car is registered to the leasing company, not to me. Can I still get a residential parking permit, and what documents do you need? I tried the online form but it asks for "ejer/bruger" and I am not sure what to fill in.

Best,
Marco Bellini
"""),

dict(n=7, lang="da", cx="simple", dept="KFF", kind="plain",
     frm=("Inger Poulsen", "ingerpoulsen@stofanet.dk"), to="bibliotek@kff.kk.dk",
     subject="Bog gået tabt",
     body="""
Kære bibliotek

Jeg har desværre mistet en bog, jeg lånte på Hovedbiblioteket i september ("Kastanjemanden"), den blev glemt i et tog. Nu har jeg fået en regning på 350 kr. Kan jeg i stedet købe en ny bog og aflevere den? Den er billigere i boghandlen.

Venlig hilsen Inger Poulsen
"""),

dict(n=8, lang="da", cx="specialist", dept="BUF", kind="plain",
     frm=("Mette Vestergaard", "mette.v@live.dk"), to="borgerservice@kk.dk",
     subject="Bekymring for et barn i vores opgang",
     body="""
Hej

Jeg ved ikke helt, hvem jeg skal skrive til, så jeg prøver her.

I lejligheden under os bor en mor med en dreng på ca. 6 år. De sidste måneder har vi flere gange om ugen hørt hende råbe meget voldsomt ad ham sent om aftenen, og i går hørte vi noget, der lød som slag, og at han græd i lang tid. Drengen sidder tit alene på trappen om eftermiddagen, også når det er koldt, og siger, at han ikke må komme ind, før mor vågner.

Jeg vil ikke lave ballade for nogen, men jeg er bange for, at han ikke har det godt. Adressen er Tagensvej 88, 2. th. (vi bor på 3. th.). Jeg vil gerne være anonym over for familien, men I må gerne ringe til mig på 28 14 90 33.

Mvh
Mette Vestergaard
"""),

dict(n=9, lang="en", cx="simple", dept="BIF", kind="alt",
     frm=("Ana Sofia Pereira", "anasofia.pereira@gmail.com"), to="danskuddannelse@bif.kk.dk",
     subject="Danish classes - how to sign up?",
     body="""
Hi,

I'm Portuguese and moved here in August with my Danish boyfriend. I would like to start Danish classes (Danskuddannelse) as soon as possible, preferably in the evening because I work 8-16. Do I need to register through the municipality first, and is there a fee? I read something about a deposit of 2,000 kr. - is that still the case?

Thanks a lot,
Ana Sofia
"""),

dict(n=10, lang="da", cx="simple", dept="OKF", kind="plain",
     frm=("Tomasz Nowak", "tomasz.nowak88@wp.pl"), to="borgerservice@kk.dk",
     subject="flytning forkert dato",
     body="""
Hej

Jeg har meldt flytning på borger.dk men jeg skriv forkert dato, jeg skriv 1.11 men det rigtige er 15.11 fordi lejlighed ikke var klar. Nu jeg får brev fra den gamle udlejer. Kan i lave dato om? Min gamle adresse er Amagerbrogade 203, 2. tv og ny er Englandsvej 41, 1.

Undskyld mit dansk
Tomasz
"""),

dict(n=11, lang="da", cx="simple", dept="SUF", kind="plain",
     frm=("Hanne Bech", "hanne.bech@tdcadsl.dk"), to="madservice@suf.kk.dk",
     subject="Pause i madservice for min mor",
     body="""
Hej

Min mor, Ellen Bech, Hulgårdsvej 12, 2400 NV, får mad leveret fra jeres madservice tre gange om ugen. Hun blev indlagt på Bispebjerg Hospital i går og bliver der nok mindst en uge. Kan I stoppe leverancerne indtil videre, så maden ikke står uden for døren? Jeg giver besked, når hun kommer hjem.
""",
     sig="""Med venlig hilsen
Hanne Bech (datter)
tlf. 40 52 18 77"""),

dict(n=12, lang="da", cx="specialist", dept="SUF", kind="plain",
     frm=("Poul Erik Skov", "poulerik.skov@gmail.com"), to="visitation@suf.kk.dk",
     subject="Ansøgning om plejebolig til min kone - det haster",
     at="2026-11-17 20:13:40",
     body="""
Til visitationen

Min kone Grethe (81) har Alzheimers og er blevet meget dårligere siden sommer. Hun går ud om natten, har to gange stået på gaden i nattøj, og i sidste uge faldt hun på badeværelset. Hjemmeplejen kommer morgen og aften, men jeg er selv 84 og har dårligt hjerte, og jeg kan simpelthen ikke mere. Jeg har ikke sovet en hel nat i månedsvis.

Vores læge har sagt, at vi skulle søge om plejebolig. Hvordan gør vi det, og kan det gå hurtigt? Vi vil helst blive på Østerbro, men det vigtigste er, at hun kommer et trygt sted hen.

Jeg vil helst ringes op, jeg er ikke så god til computeren. Tlf. 39 29 44 18.

Venlig hilsen
Poul Erik Skov
Strandboulevarden 118, 2. tv.
"""),

dict(n=13, lang="en", cx="specialist", dept="BIF", kind="alt",
     frm=("Daniel Okafor", "d.okafor@yahoo.com"), to="jobcenter@bif.kk.dk",
     subject="Complaint - my cash benefit was cut",
     body="""
To Jobcenter København,

My name is Daniel Okafor, CPR 020791-2847. Today I got a letter in e-Boks saying that my cash benefit (kontanthjælp) for December will be reduced by 3,112 kr. because I did not show up for a meeting on 4 November, and that I have been sanctioned. That is not true. I was at the emergency room with my son that morning, and I called the number in the letter at 8:40 to say I couldn't come. The person I spoke to said it was fine and that I would get a new time.

I can get a paper from the hospital. I need the money back, I have rent to pay on the 1st and two children.

I want to appeal this decision. Please tell me what I have to do.

Daniel Okafor
Mjølnerparken 41, 2200 København N
+45 52 17 80 63
"""),

dict(n=14, lang="da", cx="simple", dept="OKF", kind="html",
     frm=("Jannik Holm", "jannik@vesterbrocykler.dk"), to="opkraevning@okf.kk.dk",
     subject="Betaling af ejendomsskat – tilmelding til Betalingsservice",
     body="""
Hej

Vores selskab har købt erhvervsejendommen Sønder Boulevard 55 i august, og vi har fået opkrævning på ejendomsskat for 2. halvår med indbetalingskort. Kan vi få den tilmeldt Betalingsservice fremover, og er det i orden at betale den nuværende regning via bankoverførsel? Hvilket kontonummer og hvilken reference skal vi bruge?
""",
     sig="""Med venlig hilsen
Jannik Holm
Indehaver
Vesterbro Cykler ApS · CVR 38412290
Sønder Boulevard 55 · 1720 København V"""),

dict(n=15, lang="en", cx="simple", dept="TMF", kind="plain",
     frm=("Jonas Weber", "jonas.weber@posteo.de"), to="kontakt@kk.dk",
     subject="Street light out",
     body="""
Hi, the street light in front of Jægersborggade 31 has been out for about two weeks. It's really dark on the sidewalk in the evening. I think the number on the pole is 14-0332.
Thanks, Jonas
"""),

dict(n=16, lang="en", cx="simple", dept="KFF", kind="plain",
     frm=("Linh Tran", "linh.tran@nvshuttlers.dk"), to="booking@kff.kk.dk",
     subject="Booking hall time for badminton club, spring season",
     body="""
Hello,

I am the chair of a small badminton club (Nordvest Shuttlers, registered association, about 35 members). We would like to book court time on Tuesday and Thursday evenings 19-21 for the spring season, ideally at Bispebjerg Idrætsanlæg or Tingbjerg Idrætshal. How do we apply, and what is the deadline? Is it free for registered associations?
""",
     sig="""Kind regards,
Linh Tran
Chair, Nordvest Shuttlers"""),

dict(n=17, lang="da", cx="simple", dept="BUF", kind="plain", duplicate=True,
     frm=("Rasmus Dahl", "rasmus.dahl@gmail.com"), to="pladsanvisningen@buf.kk.dk",
     subject="Indmeldelse i fritidshjem",
     body="""
Hej

Vores søn Viggo går i 0. klasse på Lundehusskolen og er skrevet op til fritidshjemmet Solsikken, men vi har ikke hørt noget. Han har været i skole siden august og går nu hjem med sin farmor hver dag, men det kan ikke fortsætte efter jul. Hvor lang ventetid er der, og er der et andet fritidshjem eller en klub i nærheden, hvor der er plads fra januar?

Mvh
Rasmus Dahl
Emdrupvej 40, 2400 København NV
"""),

dict(n=18, lang="da", cx="specialist", dept="TMF", kind="plain",
     attach=("Ryesgade19_situationsplan_snit.pdf", "application", "pdf", "PDF"),
     frm=("Kirstine Brinch", "kb@brinch-arkitekter.dk"), to="byggesag@tmf.kk.dk",
     subject="Ansøgning om dispensation – tagterrasse, Ryesgade 19",
     body="""
Til Center for Bygninger, Byggesag

På vegne af ejerforeningen Ryesgade 19 ansøger vi om dispensation fra lokalplanens bestemmelse om tagflader (§ 7, stk. 3) med henblik på etablering af en fælles tagterrasse på ca. 65 m² med værn trukket 1,5 m tilbage fra facadelinjen mod gaden.

Projektet er drøftet med naboejendommene, og der er ikke indsigelser. Terrassen vil ikke være synlig fra gadeniveau, jf. vedlagte snittegning. Vi er opmærksomme på, at der skal foretages naboorientering, og hører gerne om forventet sagsbehandlingstid, da ejerforeningen ønsker at udføre arbejdet i foråret 2027.

Vedlagt: situationsplan og snit (PDF).
""",
     sig="""Med venlig hilsen
Kirstine Brinch
Arkitekt MAA
Brinch & Co. Tegnestue
Vesterbrogade 112, 1620 København V
Tlf. 33 21 09 86"""),

dict(n=19, lang="da", cx="simple", dept="SOF", kind="plain",
     frm=("Knud Ravn", "knudravn@webspeed.dk"), to="pension@sof.kk.dk",
     subject="varmetillæg",
     body="""
Goddag

Jeg er folkepensionist og har hørt, at man kan få tilskud til varmen. Min varmeregning er steget meget i år. Hvordan søger man, og skal jeg udfylde et skema? Jeg har ikke så meget forstand på computeren, så kan I sende det med posten?

Knud Ravn
Tingbjerg Allé 7, st.
2700 Brønshøj
"""),

dict(n=20, lang="en", cx="simple", dept="OKF", kind="plain",
     frm=("Chloé Martin", "chloe.martin@orange.fr"), to="borgerservice@kk.dk",
     subject="Lost wallet - new health card and driving licence?",
     body="""
Hello,

My wallet was stolen on the metro last Saturday. I have reported it to the police (report number 0100-80142-00311-26). I need a new health card and a new driving licence (my French licence was exchanged for a Danish one last year). Can I order both online or do I need to come in person? And is there a fee?

Merci,
Chloé Martin
"""),

dict(n=21, lang="da", cx="simple", dept="BIF", kind="plain",
     frm=("Yasmin Aziz", "kontakt@frisorsaxo.dk"), to="sygedagpenge@bif.kk.dk",
     subject="Refusion af sygedagpenge for ansat",
     body="""
Hej

Jeg har en lille frisørsalon med 3 ansatte. En af mine frisører har været syg siden 12. oktober (ryggen). Jeg betaler løn under sygdom. Hvornår kan jeg søge refusion, og skal jeg gøre det på NemRefusion eller hos jer? Jeg er lidt i tvivl om, hvad 30-dages-reglen betyder.
""",
     sig="""Venlig hilsen
Yasmin Aziz
Frisør Saxogade, CVR 41227305"""),

dict(n=22, lang="da", cx="specialist", dept="SOF", kind="plain",
     frm=("Katrine Juhl", "katrinejuhl@gmail.com"), to="boernehandicap@sof.kk.dk",
     subject="Sag om merudgifter – til Morten Ibsen",
     body="""
Kære Morten

Jeg skriver igen, fordi jeg endnu ikke har hørt fra dig siden vores møde den 8. oktober. Du sagde, at vi ville få en afgørelse om merudgifter til Noahs særlige kost og bleer inden for fire uger.

Siden sidst er Noahs epilepsi blevet værre, og han skal nu have ketogen diæt efter aftale med Rigshospitalet. Det koster os ca. 1.800 kr. ekstra om måneden. Jeg har også måttet gå ned i tid på arbejdet for at passe ham på de dage, hvor han ikke kan komme i institution, og vil gerne vide, om vi kan søge om tabt arbejdsfortjeneste.

Kan du ringe mig op? Jeg kan bedst mellem 12 og 14.

Venlig hilsen
Katrine Juhl (mor til Noah Juhl, 4 år)
tlf. 61 30 27 45
"""),

dict(n=23, lang="en", cx="simple", dept="TMF", kind="alt",
     frm=("Sarah Whitfield", "sarah.whitfield@gmail.com"), to="miljoe@tmf.kk.dk",
     subject="Construction noise at night - what are the rules?",
     body="""
Hi,

There is a big construction site next to our building on Carl Jacobsens Vej (the new residential project). For the last three nights they have been running some kind of pump or generator until after midnight, and on Saturday they started drilling at 7:00. We have a baby and are going crazy.

What are the allowed working hours for construction in Copenhagen, and who do we report this to?

Thanks,
Sarah Whitfield
"""),

dict(n=24, lang="da", cx="simple", dept="KFF", kind="plain",
     frm=("Nadia Hussein", "nadia.h@hotmail.dk"), to="kulturhuse@kff.kk.dk",
     subject="Leje af lokale",
     body="""
Hej

Kan man leje et lokale i Kulturhuset Islands Brygge til en 40-års fødselsdag lørdag den 6. marts? Vi er ca. 50 personer. Hvad koster det, og må vi selv medbringe mad og musik?

Hilsen Nadia
"""),

dict(n=25, lang="en", cx="simple", dept="BUF", kind="alt",
     frm=("James Collins", "collins.family@btinternet.com"), to="skoleindskrivning@buf.kk.dk",
     subject="School place for our son - moving from London in January",
     body="""
Dear Sir or Madam,

We are moving from London to Copenhagen on 3 January 2027 (address: Amager Fælledvej 14, 2300 København S). Our son Arjun is 9 and currently in Year 4. He speaks English and a little Danish.

Could you tell us which is our local school, whether he will be offered a place in an ordinary class or a reception class, and what we need to do before we arrive? We would also like to know whether after-school care (SFO / fritidshjem) is available.

Many thanks,
James Collins
"""),

dict(n=26, lang="da", cx="simple", dept="SUF", kind="plain",
     frm=("Bente Lassen", "bentelassen@mail.tele.dk"), to="hjemmeplejen@suf.kk.dk",
     subject="ændring af tidspunkt",
     body="""
Hej. Jeg får hjælp til bad om tirsdagen kl. 7.15, men jeg vil gerne have det lidt senere, fx kl. 9, for jeg sover dårligt og er træt om morgenen. Kan det lade sig gøre. Venlig hilsen Bente Lassen, Bellahøjvej 50, 3. th.
"""),

dict(n=27, lang="da", cx="specialist", dept="BIF", kind="qp",
     frm=("Michael Brandt", "mb1975@gmail.com"), to="jobcenter@bif.kk.dk",
     subject="KLAGE - stop af sygedagpenge!!!",
     body="""
Jeg har i dag fået at vide af min sagsbehandler Lone Friis, at mine sygedagpenge stopper 1. december, fordi jeg har nået revurderingstidspunktet og ikke kan forlænges. Det er fuldstændig uacceptabelt.

Jeg har haft diskusprolaps siden marts, jeg er blevet opereret én gang og venter på en ny operation på Glostrup i januar. Jeg KAN ikke arbejde, det står i alle papirer fra hospitalet. Hvad skal jeg leve af? Jeg har en datter og et hus.

Jeg vil klage over afgørelsen, og jeg vil have et møde med en leder, ikke med Lone igen, hun har ikke læst mine papirer. Og jeg vil have aktindsigt i min sag.

Michael Brandt
CPR 3101758813
"""),

dict(n=28, lang="en", cx="simple", dept="OKF", kind="plain",
     frm=("Katarzyna Wiśniewska", "k.wisniewska@gmail.com"), to="valg@okf.kk.dk",
     subject="Can EU citizens vote in the municipal election?",
     body="""
Hello,

I am Polish and have lived in Copenhagen since 2021. Can I vote in the next municipal and regional election, and do I need to register anywhere? I didn't receive a polling card last time and was not sure if that was a mistake.

Regards,
Katarzyna Wiśniewska
"""),

dict(n=29, lang="da", cx="simple", dept="TMF", kind="html",
     frm=("Boligforeningen Ryparken, Driftskontoret", "drift@ryparken-bolig.dk"), to="affald@kk.dk",
     subject="Bestilling af ekstra beholdere til madaffald – afd. 14",
     html="""<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>
<body style="font-family: Arial, sans-serif; font-size: 10pt">
<p>Hej</p>
<p>Vi ønsker at bestille ekstra beholdere til <b>madaffald</b> til vores afdeling 14, da de nuværende er overfyldte inden tømning:</p>
<table border="1" cellpadding="4" cellspacing="0">
<tr><th>Adresse</th><th>Type</th><th>Antal</th></tr>
<tr><td>Lyngbyvej 150-158</td><td>Madaffald 240 l</td><td>2</td></tr>
<tr><td>Lyngbyvej 160-166</td><td>Madaffald 240 l</td><td>2</td></tr>
</table>
<p>Kan tømningen samtidig ændres fra hver 14. dag til hver uge i sommerhalvåret?</p>
<p>Kontaktperson: driftsleder Bo Sørensen, tlf. 20 11 45 98.</p>
<p>Med venlig hilsen<br>Driftskontoret<br>Boligforeningen Ryparken</p>
<p style="color:#888888; font-size:8pt">Denne e-mail er sendt fra et system, der ikke modtager svar. Svar venligst til drift@ryparken-bolig.dk.</p>
</body></html>
"""),

dict(n=30, lang="da", cx="simple", dept="OKF", kind="latin1",
     frm=("Ebbe Kjærgaard", "ebbe.kjaergaard@jubii.dk"), to="opkraevning@okf.kk.dk",
     subject="Rykkergebyr - beløbet er betalt",
     body="""
Til Opkrævningen

Jeg har modtaget en rykker dateret 12. november med et gebyr på 100 kr. for regning nr. 77130552 på 1.450,00 kr. Beløbet blev betalt via min netbank den 2. november, altså før forfaldsdatoen den 5. november. Jeg har kvittering fra banken.

Jeg går ud fra, at rykkeren og gebyret bortfalder. Vil I bekræfte det?

Med venlig hilsen
Ebbe Kjærgaard
Ålekistevej 211
2720 Vanløse
"""),

dict(n=31, lang="da", cx="specialist", dept="OKF", kind="plain",
     attach=("budget_november.txt", "text", "plain", """Budget for Jette Mørch, november 2026

Indtægt (jobafklaringsforløb, netto)   12.040 kr.

Husleje                                 7.800 kr.
El og varme                               650 kr.
Medicin                                   420 kr.
Telefon/internet                          299 kr.
Forsikring                                310 kr.
Transport                                 375 kr.
Mad, tøj m.v.                           2.000 kr.

Rest                                      186 kr.
"""),
     frm=("Jette Mørch", "jette.morch@gmail.com"), to="opkraevning@okf.kk.dk",
     subject="Anmodning om eftergivelse af gæld",
     body="""
Til Københavns Kommune, Opkrævning

Jeg skylder kommunen 38.400 kr. for et boligindskudslån fra 2015 (CPR 290264-1126). Jeg har betalt af på det i flere år, men sidste år fik jeg konstateret brystkræft og har været sygemeldt siden. Jeg er nu i jobafklaringsforløb og får 12.040 kr. udbetalt om måneden efter skat. Min husleje er 7.800 kr.

Jeg kan ikke betale de 1.200 kr. om måneden, som I kræver, og jeg har fået brev om, at sagen sendes til Gældsstyrelsen. Jeg beder om at få gælden eftergivet, eller i det mindste at få henstand, til jeg er rask. Jeg vedhæfter et budget.

Med venlig hilsen
Jette Mørch
Rentemestervej 58, 4. th., 2400 København NV
"""),

dict(n=32, lang="en", cx="simple", dept="SUF", kind="alt",
     frm=("Emma Lindqvist", "emma.lindqvist@gmail.com"), to="sundhedsplejen@suf.kk.dk",
     subject="Health visitor - first visit for our newborn?",
     body="""
Hi,

Our daughter was born on 10 November at Hvidovre Hospital and we came home on the 12th. The hospital said a health visitor (sundhedsplejerske) would contact us within a few days, but nobody has called yet. Is there something we should do to register? We live at Vigerslev Allé 88, 1. th. Phone 71 44 20 96.

Also, is it possible to have the visits in English? My partner doesn't speak Danish.

Thank you,
Emma Lindqvist
"""),

dict(n=33, lang="da", cx="simple", dept="BIF", kind="plain",
     frm=("Ahmad Rahimi", "ahmad.rahimi1999@gmail.com"), to="jobcenter@bif.kk.dk",
     subject="Ferie",
     body="""
Hej jobcenter

Jeg er på kontanthjælp og vil gerne holde ferie fra 21. december til 3. januar og besøge min familie i Tyskland. Skal jeg sende en ansøgning eller bare sige det til min rådgiver? Har jeg ret til ferie?

Hilsen Ahmad
"""),

dict(n=34, lang="en", cx="specialist", dept="SOF", kind="plain",
     frm=("Piotr Zielinski", "piotrzielinski77@gmail.com"), to="kontakt@kk.dk",
     subject="need help place to sleep",
     body="""
hello

i am polish, work on building site in copenhagen 2 years but the company close in october and i lost the job and also the room, the room was from company. now i sleep at friend sofa but he say only to friday. i have cpr and yellow card. i dont know where to go. i dont want to sleep in street in winter. can you help me with room or shelter. my phone 50 32 18 46, i speak english little and polish

thank you
piotr
"""),

dict(n=35, lang="en", cx="simple", dept="KFF", kind="plain",
     frm=("Aiko Tanaka", "aiko.tanaka@icloud.com"), to="bibliotek@kff.kk.dk",
     subject="Self-service library hours",
     body="""
Hi! Can I use Sundby Library after the staffed hours with my health card? I tried on Sunday evening but the door wouldn't open. Do I need to activate something first? /Aiko
"""),

dict(n=36, lang="da", cx="simple", dept="BUF", kind="plain",
     frm=("Louise Friis", "louise.friis84@gmail.com"), to="kontakt@kk.dk",
     subject="Skolemælk",
     body="""
Hej
Hvordan bestiller man skolemælk til sit barn? Min datter går i 2.B på Hanssted Skole, og hun siger, at de andre får mælk. Jeg kan ikke finde det på Aula.
Mvh Louise
"""),

dict(n=37, lang="en", cx="simple", dept="TMF", kind="plain",
     frm=("Oliver Grant", "olivergrant@fastmail.com"), to="kontakt@kk.dk",
     subject="Fallen branch on bike lane, Østerbrogade",
     body="""
A large branch has fallen from one of the trees on Østerbrogade near no. 150 (towards Trianglen) and is blocking half of the bike lane. Someone nearly crashed into it this morning in the dark.

Sent from my iPhone
"""),

dict(n=38, lang="da", cx="specialist", dept="BUF", kind="alt",
     frm=("Anders Kirk", "anders.kirk@gmail.com"), to="ppr@buf.kk.dk",
     subject="Vores søn mistrives – vi ønsker PPR-vurdering og specialtilbud",
     body="""
Til PPR / Børne- og Ungdomsforvaltningen

Vores søn Elias (10 år, 4.A på Ålholm Skole) fik diagnosen autisme i foråret. Siden skolestart i august har han ikke kunnet være i klassen mere end et par timer ad gangen. Han har de sidste fem uger været hjemme det meste af tiden, har ondt i maven hver morgen og er begyndt at slå sin lillesøster.

Skolen siger, at de gør, hvad de kan, men at de ikke har ressourcer til en fast voksen. Vi bad om en PPR-udredning i september, og vi har endnu ikke fået en dato.

Vi mener, at Elias har brug for et specialtilbud, f.eks. en specialklasse med autismeviden, og vi vil gerne have en afgørelse hurtigst muligt. Han mister hele sin skolegang. Vi vil også gerne vide, hvad vi kan gøre, hvis kommunen siger nej.
""",
     sig="""Med venlig hilsen
Anders og Mia Kirk
Ålholmvej 9, 2500 Valby
Tlf. 22 63 19 04"""),

dict(n=39, lang="da", cx="simple", dept="SOF", kind="plain",
     frm=("Jens Christian Holm", "jc.holm@mail.dk"), to="hjaelpemiddelcentret@sof.kk.dk",
     subject="Aflevering af hjælpemidler efter dødsfald",
     body="""
Hej

Min mor, Karen Holm, døde i sidste uge. Hun havde lånt en rollator, en badestol og en toiletforhøjer af kommunen. Hvordan afleverer vi dem? Kan I hente dem, eller skal vi køre dem et sted hen? Lejligheden skal være tømt den 30. november.

Venlig hilsen
Jens Christian Holm
"""),

dict(n=40, lang="da", cx="specialist", dept="SUF", kind="plain",
     frm=("Poul Erik Skov", "poulerik.skov@gmail.com"), to="visitation@suf.kk.dk",
     subject="Re: Ansøgning om plejebolig til min kone - det haster",
     at="2026-11-24 21:47:02",
     in_reply_to="<ref.20261118092144.4471@suf.kk.dk>", references=["@12", "<ref.20261118092144.4471@suf.kk.dk>"],
     body="""
Kære Susanne Holm

Tak for svaret. Men der er ikke sket noget endnu, og ingen har ringet. I nat var Grethe væk i en time, politiet fandt hende ved Svanemøllen Station. Jeg er bange for, at det går helt galt. Kan I ikke sende nogen ud i denne uge?

Poul Erik Skov
39 29 44 18

Den 18.11.2026 kl. 09.21 skrev Visitationen, Sundheds- og Omsorgsforvaltningen <visitation@suf.kk.dk>:
> Kære Poul Erik Skov
>
> Tak for din henvendelse om plejebolig til din hustru. Vi har oprettet en
> sag, og en visitator vil kontakte dig telefonisk inden for 10 hverdage for
> at aftale et besøg i hjemmet. Ved besøget vurderer vi sammen med jer,
> hvilken hjælp Grethe har brug for.
>
> Hvis situationen bliver akut, kan du ringe til Visitationen alle
> hverdage kl. 8-15.
>
> Med venlig hilsen
> Susanne Holm
> Visitator, Visitationen Øst
"""),

dict(n=41, lang="en", cx="simple", dept="OKF", kind="alt",
     frm=("Lucía Fernández", "lucia.fernandez.mx@gmail.com"), to="erhverv@okf.kk.dk",
     subject="Opening a small café - where do I start?",
     body="""
Hello,

I'm planning to open a small café with a few tables in Nordvest (Rentemestervej) next spring. I have a CPR number and have lived here for 3 years. I'm a bit lost with all the rules: do I need to register the business first (CVR), what permits do I need from the municipality (food, outdoor seating, a sign), and is there someone at the municipality who can guide new business owners? I saw something called the business entrance / Erhvervsservice.

Thank you,
Lucía Fernández
"""),

dict(n=42, lang="da", cx="simple", dept="TMF", kind="b64",
     frm=("Signe Mortensen", "signe.mortensen@live.dk"), to="parkering@kk.dk",
     subject="Gæstelicens til min mor i julen",
     body="""
Hej

Min mor kommer og bor hos os fra 20. december til 2. januar, og hun kommer i bil fra Aarhus. Vi bor i zone Rød på Nørrebro. Kan vi købe en gæstelicens til hende, og kan det gøres online? Hvad koster det for to uger?

Tak og god dag
Signe
"""),

dict(n=43, lang="da", cx="simple", dept="SUF", kind="plain",
     frm=("Finn Hansen", "finn.hansen45@gmail.com"), to="genoptraening@suf.kk.dk",
     subject="Hvornår starter min genoptræning?",
     body="""
Hej

Jeg fik nyt knæ på Gentofte Hospital den 30. oktober og har fået en genoptræningsplan med hjem. Der stod, at kommunen ville kontakte mig inden for en uge, men jeg har ikke hørt noget. Hvornår og hvor skal jeg træne? Jeg bor i Sydhavnen.

Mvh Finn Hansen, tlf 23 45 87 10
"""),

dict(n=44, lang="da", cx="specialist", dept="TMF", kind="plain",
     frm=("Lise Winther", "lise.winther@gmail.com"), to="byggesag@tmf.kk.dk",
     subject="Indsigelse og klage: tilbygning på naboejendom, Kastrupvej 210",
     body="""
Til Byggesagsafdelingen

Vi har i dag opdaget, at vores nabo på Kastrupvej 210 er gået i gang med at bygge en tilbygning i to etager helt ude i skel mod vores have. Vi har ikke modtaget nogen naboorientering, og vi har ikke haft mulighed for at udtale os.

Tilbygningen tager al eftermiddagssol fra vores have og terrasse, og der er vinduer på første sal, som kigger direkte ned i vores soveværelse.

Vi vil gerne vide:
1) om der er givet byggetilladelse,
2) om der er givet dispensation fra bestemmelserne om højde og afstand til skel, og
3) hvordan vi klager.

Hvis der ikke er givet tilladelse, beder vi om, at kommunen standser byggeriet. Vi beder også om aktindsigt i byggesagen.

Med venlig hilsen
Lise og Torben Winther
Kastrupvej 208, 2300 København S
tlf. 31 17 62 90
"""),

dict(n=45, lang="en", cx="simple", dept="BIF", kind="plain",
     frm=("Erik Johansson", "erik.johansson@telia.com"), to="jobcenter@bif.kk.dk",
     subject="Registering as unemployed after moving from Malmö",
     body="""
Hi,

I moved from Malmö to Copenhagen last month (I'm Swedish, my partner is Danish). I was unemployed in Sweden and was a member of an a-kassa there. How do I register as a job seeker in Denmark, and can my Swedish insurance periods be transferred? Do I need to join a Danish a-kasse first or register with the Jobcenter first?

Best regards,
Erik Johansson
"""),

dict(n=46, lang="da", cx="simple", dept="OKF", kind="plain",
     frm=("Ruth Kristiansen", "ruth.kristiansen@outlook.dk"), to="borgerservice@kk.dk",
     subject="MitID virker ikke",
     body="""
Kære borgerservice

jeg har fået ny telefon af mit barnebarn og nu kan jeg ikke komme på MitID. den siger at appen skal aktiveres men jeg har ikke min gamle telefon mere. hvad skal jeg gøre. jeg er 79 år og har ikke så mange at spørge

hilsen Ruth Kristiansen
"""),

dict(n=47, lang="en", cx="simple", dept="KFF", kind="plain",
     frm=("Jonathan Mbeki", "jon.mbeki@gmail.com"), to="foreninger@kff.kk.dk",
     subject="Registering a new association (chess club)",
     body="""
Hello,

A few of us started a chess club for kids and parents in Sydhavnen. We now have a board, statutes and 25 members. What do we need to do to be recognised as a "folkeoplysende forening" so we can use school rooms for free and apply for grants? Is there an English version of the application?

Thanks,
Jonathan Mbeki
Chair, Sydhavn Skakklub
"""),

dict(n=48, lang="da", cx="simple", dept="BUF", kind="qp",
     frm=("Sara Andersen", "sara.andersen92@gmail.com"), to="pladsanvisningen@buf.kk.dk",
     subject="Økonomisk friplads – hvordan søger jeg?",
     body="""
Hej

Jeg er alene med to børn i vuggestue og børnehave, og jeg har lige mistet mit job. Jeg har hørt, at man kan få nedsat betalingen (økonomisk friplads). Hvordan søger jeg, og gælder det fra den måned, jeg søger? Hvilken dokumentation skal jeg bruge?

Venlig hilsen
Sara Andersen
"""),

dict(n=49, lang="da", cx="specialist", dept="SOF", kind="plain",
     frm=("Bjarne Kofoed", "bjarne.kofoed@gmail.com"), to="bilstoette@sof.kk.dk",
     subject="Klage over afslag på bilstøtte",
     body="""
Jeg har fået afslag på støtte til køb af bil, afgørelse af 2. november 2026. Begrundelsen er, at jeg kan benytte offentlig transport og Flextrafik.

Jeg har fået amputeret højre ben under knæet pga. diabetes og går med protese, men kan højst gå 100 m, og jeg arbejder 30 timer om ugen som bogholder i Ballerup med skiftende mødetider. Med Flextrafik skal jeg bestille dagen før og kan vente op til en time. Det holder ikke med et job.

Jeg mener ikke, at afgørelsen tager højde for, at jeg er i arbejde, og jeg beder jer genvurdere sagen. Fastholder I afslaget, skal klagen sendes videre til Ankestyrelsen.

Bjarne Kofoed
Husumvej 61, 2700 Brønshøj
"""),

dict(n=50, lang="en", cx="simple", dept="SUF", kind="plain", at="2026-11-18 20:31:47",
     frm=("Hannah Müller", "hannah.mueller@web.de"), to="tandplejen@suf.kk.dk",
     subject="Change dentist appointment for my son",
     body="""
Hello, my son Leon (7) has an appointment at the children's dental clinic at Utterslev Skole on 25 November at 10:40, but he has a school trip that day. Can we move it to a day in the following week? Best, Hannah Müller
"""),

dict(n=51, lang="da", cx="simple", dept="TMF", kind="html",
     frm=("Charlotte Kjær", "charlotte@kjaer-design.dk"), to="kontakt@kk.dk",
     subject="Graffiti på gavl og el-skab – Enghavevej 60",
     body="""
Hej

Der er kommet stor graffiti (tags) på gavlen af vores ejendom ud mod Enghavevej og også på el-skabet ved fortovet. Kan kommunen fjerne det på el-skabet, og hvad er reglerne for vores egen gavl? Vi er en lille andelsforening. Billeder kan eftersendes.
""",
     sig="""Venlig hilsen
Charlotte Kjær
formand, A/B Enghavevej 60"""),

dict(n=52, lang="en", cx="specialist", dept="BIF", kind="plain",
     frm=("Yonas Tesfaye", "yonas.tesfaye@gmail.com"), to="integration@bif.kk.dk",
     subject="Request to change my integration plan - caseworker Mette Bak",
     body="""
Dear Mette Bak / Integration team,

I came to Denmark as a refugee in 2024 and I am in the integration programme. I now have an offer for a job as kitchen assistant at a hotel, 25 hours a week, starting 1 December. But the hours conflict with my Danish classes (module 2, Monday-Thursday 9-12), and the job consultant told me I must continue the classes or my benefit (selvforsørgelses- og hjemrejseydelse) can be reduced.

I want to take the job and move my Danish classes to the evening. Is this possible, and who decides? I need a meeting with you as soon as possible because the hotel needs an answer by 25 November.

Thank you,
Yonas Tesfaye
+45 91 64 02 38
"""),

dict(n=53, lang="da", cx="simple", dept="OKF", kind="alt",
     frm=("Lars Mikkelsen", "lars.mikkelsen@proton.me"), to="borgerservice@kk.dk",
     subject="Bopælsattest til brug i Spanien",
     body="""
Hej

Jeg skal bruge en bopælsattest på engelsk (helst med apostille) i forbindelse med køb af en lejlighed i Spanien. Kan jeg bestille den digitalt og få den sendt, eller skal jeg møde op? Og hvor lang tid tager det?
""",
     sig="""Med venlig hilsen
Lars Mikkelsen"""),

dict(n=54, lang="da", cx="simple", dept="SOF", kind="plain",
     frm=("Grethe Nyborg", "grethe.nyborg@hotmail.com"), to="kontakt@kk.dk",
     subject="Udbetaling af pension før jul",
     body="""
Kære kommune. Jeg vil høre, om min folkepension bliver udbetalt før jul i december, som den plejer, eller først den sidste hverdag? Jeg skal købe gaver til børnebørnene. Venlig hilsen Grethe Nyborg, Sundholmsvej 32
"""),

dict(n=55, lang="da", cx="simple", dept="BIF", kind="plain",
     frm=("Mikkel Sørensen", "mikkel.s@hotmail.com"), to="jobcenter@bif.kk.dk",
     subject="Re: Indkaldelse til samtale 26. november kl. 10.30",
     at="2026-11-18 07:55:31",
     in_reply_to="<indkald.20261117130512.88231@bif.kk.dk>", references=["<indkald.20261117130512.88231@bif.kk.dk>"],
     body="""
Hej

Jeg kan ikke komme torsdag, jeg har fået en jobsamtale hos Netto samme formiddag. Kan jeg få en anden tid, gerne fredag eller næste uge?

Mikkel

Sendt fra min iPhone

> Den 17. nov. 2026 kl. 13.05 skrev Jobcenter København <jobcenter@bif.kk.dk>:
>
> Kære Mikkel Sørensen
>
> Du er indkaldt til en jobsamtale i Jobcenter København
> torsdag den 26. november 2026 kl. 10.30.
>
> Hvis du er forhindret, skal du give besked senest dagen før.
>
> Med venlig hilsen
> Jobcenter København
"""),

dict(n=56, lang="en", cx="simple", dept="BUF", kind="plain",
     frm=("Mariana Costa", "mariana.costa@gmail.com"), to="pladsanvisningen@buf.kk.dk",
     subject="Christmas closing days at kindergarten",
     body="""
Hi, our kindergarten (Børnehuset Kirsebærtræet) says it will be closed between Christmas and New Year and that we have to book "feriepasning" if we need care. We both work those days. How and where do we book it, and what's the deadline? Thanks, Mariana
"""),

dict(n=57, lang="da", cx="specialist", dept="OKF", kind="plain",
     frm=("Henrik Bundgaard", "henrik.bundgaard@gmail.com"), to="borgerservice@kk.dk",
     subject="Klage over Borgerservice – bortkomne originale dokumenter",
     body="""
Til ledelsen i Borgerservice

Den 3. november afleverede jeg personligt originale dokumenter (fødselsattest og vielsesattest fra Filippinerne, med apostille) i Borgerservice på Rådhuset i forbindelse med registreringen af min kone. Medarbejderen tog dem med ind til kopiering og sagde, at jeg ville få dem retur med posten.

Jeg har intet modtaget, og når jeg ringer, får jeg at vide, at man ikke kan finde dem. Det tager 4-5 måneder og koster ca. 3.000 kr. at skaffe nye fra Filippinerne, og min kones opholdssag venter på dem.

Jeg vil gerne have en skriftlig redegørelse for, hvad der er sket, og jeg forventer, at kommunen dækker udgifterne til nye dokumenter. Jeg ønsker svar i Digital Post.

Henrik Bundgaard
Frederikssundsvej 142, 2400 København NV
"""),

dict(n=58, lang="en", cx="simple", dept="KFF", kind="plain",
     frm=("Peter O'Brien", "peter.obrien@eircom.net"), to="kontakt@kk.dk",
     subject="Swimming pool hours and senior price",
     body="""
Hello, I am 68 and retired. What are the opening hours of Øbro-Hallen, and is there a discount for seniors? Do I need to buy a card? Regards, Peter O'Brien
"""),

dict(n=59, lang="en", cx="simple", dept="SOF", kind="plain",
     frm=("Maria Schmidt", "maria.schmidt@gmx.de"), to="kontakt@kk.dk",
     subject="How to apply for a shower chair for my father",
     body="""
Hello,

My father (84) lives alone on Vesterbrogade. After a fall he is afraid to stand in the shower. The home care nurse said he could get a shower chair and grab bars from the municipality. How do we apply? He doesn't use a computer, and I live in Hamburg, so I am helping from a distance. Can I apply on his behalf?
""",
     sig="""Kind regards,
Maria Schmidt (daughter of Hans-Jørgen Schmidt)"""),

dict(n=60, lang="da", cx="specialist", dept="SUF", kind="b64",
     frm=("Kirsten Boesen", "kirsten.boesen@gmail.com"), to="visitation@suf.kk.dk",
     subject="Klage over nedsat hjemmehjælp til min far, CPR 070934-4219",
     body="""
Til Visitationen

Min far, Aage Boesen (CPR 070934-4219), har fået brev om, at hans hjemmehjælp nedsættes fra hjælp til bad 3 gange om ugen til 1 gang, og at rengøring fremover kun sker hver 3. uge. Der har ikke været nogen visitator på besøg; det er sket efter en telefonsamtale, hvor min far (som er meget hørehæmmet) har svaret ja til alt.

Han er 92, har KOL og kan ikke selv komme i bad. Jeg klager over afgørelsen på hans vegne (fuldmagt eftersendes) og beder om, at afgørelsen genvurderes ved et besøg, hvor jeg er til stede.

Kontakt venligst mig og ikke min far, da han ikke kan høre i telefonen. Tlf. 26 73 10 58.
""",
     sig="""Med venlig hilsen
Kirsten Boesen"""),
]
