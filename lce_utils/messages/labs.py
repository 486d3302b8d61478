"""The engagement labs' texts (lce_utils.engagement: notebooks, findings, CLI and errors), Swedish then English."""

TEXT: dict[str, tuple[str, str]] = {
    # names of the data's categories
    "labs_gender_woman": ("kvinnor", "women"),
    "labs_gender_man": ("män", "men"),
    "labs_gender_other": ("annat", "other"),
    "labs_gender_unknown": ("okänt", "unknown"),
    "labs_catchment_core": ("kärnområde", "core"),
    "labs_catchment_primary": ("primärt", "primary"),
    "labs_catchment_secondary": ("sekundärt", "secondary"),
    "labs_catchment_outside": ("utanför", "outside"),
    "labs_title_01-audience-overview": ("Publiköversikt", "Audience overview"),
    "labs_title_02-priority-groups": ("Prioriterade grupper", "Priority groups"),
    "labs_title_03-programming-and-occupancy": ("Programläggning och beläggning", "Programming and occupancy"),
    "labs_title_04-loyalty-and-retention": ("Lojalitet och återkomst", "Loyalty and retention"),
    # key figures
    "labs_kf_visits": ("Besök (biljetter)", "visits (tickets)"),
    "labs_kf_unique_visitors": ("Unika besökare", "unique visitors"),
    "labs_kf_visits_per_visitor": ("Besök per besökare", "visits per visitor"),
    "labs_kf_returning_share": ("Andel återkommande", "returning share"),
    "labs_kf_revenue": ("Intäkter", "revenue"),
    "labs_kf_rows_read": ("Rader lästa", "rows read"),
    "labs_kf_rows_rejected": ("Rader avvisade", "rows rejected"),
    "labs_see_rejects": ("se rejects.csv", "see rejects.csv"),
    "labs_no_visitor_id_short": ("inget kundnummer", "no visitor id"),
    # chart titles, axes and legends
    "labs_title_visits_by_month": ("Besök per månad", "Visits per month"),
    "labs_title_by_gender": ("Besök efter kön", "Visits by gender"),
    "labs_title_by_age": ("Besök efter ålder", "Visits by age band"),
    "labs_title_revenue_by_ticket_type": ("Intäkter per biljettyp", "Revenue by ticket type"),
    "labs_title_revenue_by_channel": ("Intäkter per kanal", "Revenue by channel"),
    "labs_title_reach": ("Besök per postnummerområde", "Visits by postcode area"),
    "labs_title_representation": ("Representationsindex (100 = Skåne)", "Representation index (100 = Skåne)"),
    "labs_title_occupancy_by_art_form": ("Beläggning och slutsålda föreställningar per konstform",
                                         "Fill and sold-out share"),
    "labs_title_occupancy_distribution": ("Föreställningar efter beläggning", "Performances by fill"),
    "labs_title_age_mix": ("Åldersmix per konstform", "Age mix by art form"),
    "labs_title_new_returning": ("Nya och återkommande besökare per månad", "New and returning visitors"),
    "labs_title_cohorts": ("Återkomst inom 12 månader per kvartal", "12-month return by quarter"),
    "labs_title_frequency": ("Besökare efter antal besök", "Visitors by number of visits"),
    "labs_axis_month": ("Månad", "month"),
    "labs_axis_visits": ("Besök", "visits"),
    "labs_axis_visitors": ("Besökare", "visitors"),
    "labs_axis_group": ("Grupp", "group"),
    "labs_axis_ticket_type": ("Biljettyp", "ticket type"),
    "labs_axis_channel": ("Kanal", "channel"),
    "labs_axis_revenue": ("Intäkter (kr)", "revenue (SEK)"),
    "labs_axis_area": ("Område", "area"),
    "labs_axis_gender": ("kön", "gender"),
    "labs_axis_age_band": ("Åldersgrupp", "age band"),
    "labs_axis_art_form": ("Konstform", "art form"),
    "labs_axis_share_of_visits": ("Andel av besöken", "share of visits"),
    "labs_axis_fill": ("Beläggning", "fill"),
    "labs_axis_performances": ("Föreställningar", "performances"),
    "labs_axis_first_visit": ("Första besök", "first visit"),
    "labs_axis_returned_share": ("Andel som kom tillbaka", "share who returned"),
    "labs_axis_number_of_visits": ("Antal besök", "visits"),
    "labs_measure_fill": ("beläggning", "fill"),
    "labs_measure_sold_out": ("slutsålda", "sold out"),
    "labs_kind_new": ("nya", "new"),
    "labs_kind_returning": ("återkommande", "returning"),
    "labs_window_full": ("hela 12 mån", "full 12 months"),
    "labs_window_incomplete": ("ofullständig", "incomplete"),
    "labs_col_gender": ("Kön", "gender"),
    "labs_col_age": ("Ålder", "age"),
    "labs_col_audience": ("Publik", "audience"),
    "labs_col_share": ("Andel", "share"),
    "labs_col_population_share": ("Andel i Skåne", "share in Skåne"),
    "labs_caption_audience": ("Publik efter kön och ålder", "Audience by gender and age"),
    # text alternatives of the charts
    "labs_alt_visits_by_month": ("Stapeldiagram: besök per månad. Flest i {top} ({top_visits}), minst i {low} "
                                 "({low_visits}).", "Bar chart of visits per month: most in {top} ({top_visits}), "
                                 "fewest in {low} ({low_visits})."),
    "labs_alt_breakdown": ("Stapeldiagram, {title}: {parts}.", "Bar chart, {title}: {parts}."),
    "labs_alt_revenue_by_ticket_type": ("Liggande stapeldiagram, intäkter per biljettyp: {parts}.",
                                        "Horizontal bar chart, revenue by ticket type: {parts}."),
    "labs_alt_revenue_by_channel": ("Liggande stapeldiagram, intäkter per kanal: {parts}.",
                                    "Horizontal bar chart, revenue by channel: {parts}."),
    "labs_alt_reach": (
        "Liggande stapeldiagram: besök från de {areas} största postnummerområdena (tre första siffrorna), färgade "
        "efter upptagningsområde. Kärnområdet (60 % av besöken) är {core} områden, primärt (till 80 %) {primary}, "
        "sekundärt (till 90 %) {secondary}. Störst: {largest}.",
        "Horizontal bar chart: visits from the {areas} largest postcode areas (first three digits), coloured by "
        "catchment. The core (60 % of visits) is {core} areas, primary (to 80 %) {primary}, secondary (to 90 %) "
        "{secondary}. Largest: {largest}."),
    "labs_alt_representation": (
        "Grupperat stapeldiagram: representationsindex per kön och åldersgrupp, där 100 betyder samma andel som i "
        "Skånes befolkning. Lägst: {low}. Högst: {high}.",
        "Grouped bar chart: representation index by gender and age band; 100 = the same share as in Skåne's "
        "population. Lowest: {low}. Highest: {high}."),
    "labs_alt_occupancy_by_art_form": ("Grupperat stapeldiagram per konstform, fyllt / slutsålda: {parts}.",
                                       "Grouped bar chart per art form, fill / sold out: {parts}."),
    "labs_alt_occupancy_distribution": (
        "Histogram: antal föreställningar per beläggningsintervall om 10 %. {sold_out} av {performances} "
        "föreställningar var slutsålda.",
        "Histogram: performances by fill band of 10 %; {sold_out} of {performances} sold out."),
    "labs_alt_age_mix": ("Staplade andelar av besöken per åldersgrupp för varje konstform; i åldern 16–35: {parts}.",
                         "Age mix of each art form's visits; aged 16-35: {parts}."),
    "labs_alt_new_returning": (
        "Grupperade staplar per månad: nya besökare (första besöket i data) och återkommande. Sista månaden "
        "{month}: {new} nya, {returning} återkommande.",
        "Grouped bars per month: new visitors (first visit in the data) and returning. Last month {month}: {new} "
        "new, {returning} returning."),
    "labs_alt_cohorts": ("Stapeldiagram: andel av varje kvartals nya besökare som kom tillbaka inom 12 månader "
                         "(* ofullständig): {parts}.",
                         "Bar chart: share of each quarter's first-time visitors who returned within 12 months "
                         "(* incomplete): {parts}."),
    "labs_alt_frequency": ("Stapeldiagram, besökare efter antal besök: {parts}.",
                           "Bar chart, visitors by number of visits: {parts}."),
    # notes where a chart cannot be drawn
    "labs_no_visits": ("Inga besök i perioden.", "No visits in the period."),
    "labs_no_postcodes": ("Inga postnummer i data.", "No postcodes in the data."),
    "labs_no_population_heading": ("Jämförelse med befolkningen saknas", "No population comparison"),
    "labs_no_population_text": (
        "Ingen befolkningstabell från SCB följer med denna installation, så representationsindex beräknas inte; "
        "diagrammet visar publikens fördelning.",
        "No Statistics Sweden population table ships with this installation, so no representation index is "
        "computed; the chart shows the audience's own distribution."),
    "labs_no_capacity": ("Ingen evenemangsfil med kapacitet: beläggning kan inte beräknas.",
                         "No events file with capacities: occupancy cannot be computed."),
    "labs_no_capacity_per_performance": ("Ingen kapacitet per föreställning.", "No capacity per performance."),
    "labs_art_form_needs_events": ("Konstform kräver en evenemangsfil.", "Art form needs an events file."),
    "labs_too_few_ages": ("För få besök med känd ålder.", "Too few visits with a known age."),
    "labs_no_visitor_id_new_returning": ("Inget kundnummer i data: nya och återkommande besökare kan inte skiljas åt.",
                                         "No visitor id: new and returning visitors cannot be told apart."),
    "labs_no_cohorts": ("Inga kohorter att visa.", "No cohorts to show."),
    "labs_no_visitor_id": ("Inget kundnummer i data.", "No visitor id in the data."),
    "labs_rows_not_visits": ("Rader som inte är besök (räknas inte)", "Rows that are not visits (not counted)"),
    "labs_duplicate_rows": ("{n} rader är exakta dubbletter av en tidigare rad (räknas som besök; kontrollera "
                            "exporten).", "{n} rows repeat an earlier row exactly (counted as visits; check the "
                            "export)."),
    "labs_every_row_read": ("Alla rader kunde läsas.", "Every row could be read."),
    "labs_rows_rejected": ("Rader som inte kunde läsas (se rejects.csv)", "Rows that could not be read"),
    "labs_no_population_note": ("Ingen befolkningstabell följer med: jämförelsen med befolkningen utelämnas.",
                                "No population table ships: the comparison with the population is left out."),
    "labs_population_source": ("Befolkning: {reference}. Åldern i publiken är ålder vid besöket; befolkningen avser "
                               "31 december 2019.", "Population: {reference}. Audience age is age at the visit; the "
                               "population is that of 31 December 2019."),
    "labs_no_gaps": ("Inga tydliga avvikelser i dessa data.", "No clear gaps in this data."),
    # findings (lce_utils.engagement.findings)
    "labs_find_quiet_months": ("Månader med under 60 % av genomsnittet ({months}) kan få riktade erbjudanden eller "
                               "program för nya grupper.", "Months below 60 % of the average ({months}) are room for "
                               "targeted offers or programmes for new groups."),
    "labs_find_missing_demographics": (
        "Kön saknas för {gender_share} och ålder för {age_share} av besöken: fråga frivilligt om födelseår och kön "
        "vid köp för att kunna följa upp prioriterade grupper.",
        "Gender is missing for {gender_share} and age for {age_share} of visits: ask (voluntarily) at purchase."),
    "labs_find_top_channel": ("{channel} står för {share} av intäkterna; testa om mindre kanaler når andra grupper "
                              "innan de läggs ned.", "{channel} brings {share} of revenue; check whether smaller "
                              "channels reach other groups before dropping them."),
    "labs_find_under_represented": ("{Gender} {band} år är underrepresenterade (index {index}): pröva program, "
                                    "priser eller samarbeten riktade till dem.",
                                    "{Gender} aged {band} are under-represented (index {index}): try programmes, "
                                    "prices or partnerships aimed at them."),
    "labs_find_no_population": ("Lägg till SCB:s befolkningstabell för Skåne för att kunna jämföra publiken med "
                                "befolkningen.", "Add Statistics Sweden's population table to compare the audience "
                                "with the population."),
    "labs_find_catchment": ("Kärnområdet (60 % av besöken) är {core} postnummerområden ({areas}); de {outside} "
                            "områdena utanför upptagningsområdena är mål för uppsökande verksamhet.",
                            "The core catchment is {core} postcode areas ({areas}); the {outside} areas outside the "
                            "catchments are targets for outreach."),
    "labs_find_no_events": ("Lägg till en evenemangsfil med kapacitet för att se beläggning.",
                            "Add an events file with capacities to see occupancy."),
    "labs_find_sells_out_and_underfills": (
        "{art_form}: både slutsålt ({sold_out} av föreställningarna) och {under_half} av {performances} under "
        "halvfullt – flytta föreställningar från svaga till starka produktioner och datum.",
        "{art_form} both sells out ({sold_out} of performances) and under-fills ({under_half} of {performances} "
        "under half full): move performances from weak to strong productions and dates."),
    "labs_find_underfills": (
        "{art_form} fyller bara {fill} av platserna ({under_half} av {performances} under halvfullt): färre "
        "föreställningar, mindre scen eller riktad marknadsföring.",
        "{art_form} fills {fill} of seats ({under_half} of {performances} under half full): fewer performances, a "
        "smaller stage or targeted marketing."),
    "labs_find_sells_out": ("{art_form} säljer slut {sold_out} av gångerna: lägg till föreställningar eller en "
                            "större scen.", "{art_form} sells out {sold_out} of the time: add performances or a "
                            "larger stage."),
    "labs_find_lowest_fill": ("Lägst beläggning: {events}", "Lowest fill: {events}"),
    "labs_find_no_visitor_id": ("Utan kundnummer kan återkomst inte mätas: be om medlems- eller kundnummer vid köp.",
                                "Without a visitor id return cannot be measured: ask for a member or customer "
                                "number at purchase."),
    "labs_find_once": ("{share} av besökarna kom bara ett datum: ett tack med ett erbjudande inom en månad efter "
                       "första besöket kan öka återkomsten.", "{share} of visitors came on one date only: follow up "
                       "first visits within a month."),
    "labs_find_cohorts": ("Bäst återkomst hade nya besökare från {best} ({best_share}), sämst {worst} "
                          "({worst_share}): jämför vad som spelades de kvartalen.",
                          "Best 12-month return: {best} ({best_share}); worst: {worst} ({worst_share}); compare "
                          "what was on."),
    "labs_find_busiest_month": ("Flest besök kom i {month} ({visits}).",
                                "The busiest month was {month} ({visits} visits)."),
    "labs_find_returning": ("{share} av besökarna kom tillbaka minst en gång.",
                            "{share} of visitors came back at least once."),
    "labs_find_best_fill": ("Högst beläggning hade {art_form} ({share}).",
                            "{art_form} had the highest occupancy ({share})."),
    "labs_find_least_represented": (
        "Minst representerade jämfört med Skånes befolkning: {gender} {band} år (index {index}; 100 = som i "
        "befolkningen).",
        "The least represented group against Skåne's population: {gender} aged {band} (index {index}; 100 = as in "
        "the population)."),
    "labs_find_most_represented": (
        "Mest representerade jämfört med Skånes befolkning: {gender} {band} år (index {index}; 100 = som i "
        "befolkningen).",
        "The most represented group against Skåne's population: {gender} aged {band} (index {index}; 100 = as in "
        "the population)."),
    "labs_find_most_revenue": ("Mest intäkter kom via {channel}.", "Most revenue came through {channel}."),
    # reading a run folder (lce_utils.engagement.run_folder)
    "labs_err_not_a_run": ("{folder}: ingen labbkörning (metrics.json och run.json från `lce labs run` väntades)",
                           "{folder}: not a lab run folder (metrics.json and run.json from `lce labs run` expected)"),
    "labs_err_json": ("{file}: inte giltig JSON: {detail}", "{file}: not valid JSON: {detail}"),
    "labs_err_json_object": ("{file}: ett JSON-objekt väntades", "{file}: expected a JSON object"),
    "labs_err_metrics_missing": ("metrics.json: nyckel/nycklar saknas {keys}", "metrics.json: missing key(s) {keys}"),
    "labs_err_metrics_keys": ("metrics.json: {metric} har okända nycklar {unknown}; väntade nycklar {expected}",
                              "metrics.json: {metric} has unexpected key(s) {unknown}; expected keys {expected}"),
    "labs_err_table": ("{file}: kan inte läsas som CSV: {detail}", "{file}: cannot be read as CSV: {detail}"),
    # comparing two runs (lce_utils.engagement.compare)
    "labs_err_overlap": (
        "{a} ({a0} – {a1}) och {b} ({b0} – {b1}): perioderna överlappar; skillnaden skulle bara beskriva dagarna den "
        "ena har och den andra saknar, vilket kan vara en liten grupp som ingen av dem visar. Jämför skilda perioder "
        "(--period-start/--period-end)",
        "{a} ({a0} – {a1}) and {b} ({b0} – {b1}) overlap: their difference would describe only the days one has and "
        "the other lacks, which can be a small group neither shows. Compare runs over separate periods (use "
        "--period-start/--period-end)"),
    "labs_note_k": ("Körningarna döljer antal under olika k ({a} och {b}): en grupp som visas i den ena kan vara dold "
                    "i den andra", "The runs hide counts below different k ({a} and {b}): a group shown in one may "
                    "be hidden in the other"),
    "labs_note_keys": ("Körningarna använde olika pseudonymiseringsnycklar: besökarnas pseudonymer stämmer inte "
                       "överens (importera en nyckel med `lce labs key import`); antalen går ändå att jämföra",
                       "The runs used different pseudonymisation keys: their visitor pseudonyms do not match (import "
                       "one key with `lce labs key import`); the counts are still comparable"),
    "labs_note_row_meaning": ("En rad betyder {a} i den ena körningen och {b} i den andra",
                              "A row means {a} in one run and {b} in the other"),
    # `lce labs` (lce_utils.engagement.cli)
    "labs_key_exported": ("Nyckeln (fingeravtryck {fingerprint}) skrevs till {path}: håll den hemlig",
                          "Wrote the key (fingerprint {fingerprint}) to {path}: keep it secret"),
    "labs_key_imported": ("Nyckeln importerad (fingeravtryck {fingerprint})",
                          "Key imported (fingerprint {fingerprint})"),
    "labs_check_files": ("Filer: {n} lästa som en export ({names})", "Files: {n} read as one export ({names})"),
    "labs_check_events": ("Evenemang: {n} föreställningar ({columns})", "Events: {n} performances ({columns})"),
    "labs_check_would_fail": ("{inputs}: `lce labs run` skulle misslyckas: {problems}",
                              "{inputs}: `lce labs run` would fail: {problems}"),
    "labs_check_ok": ("OK: filen kan analyseras", "OK: the file can be analysed"),
    "labs_check_preset": ("Förval: rubrikerna passar --preset {name} ({hits} av dess {wanted} kolumner)",
                          "Preset: the headers fit --preset {name} ({hits} of its {wanted} columns)"),
    # reading an export (lce_utils.engagement: combine, column_types, pseudonymise, lab)
    "labs_na_counts": ("sammanställda antal (en antalskolumn), inga enskilda besökare",
                       "aggregated counts (a count column), no individual visitors"),
    "labs_na_no_visitor_id": ("inget kundnummer i data", "no visitor id column"),
    "labs_err_no_match": ("{pattern}: inga filer matchar mönstret", "{pattern}: no file matches this pattern"),
    "labs_err_other_columns": ("{file}: har kolumnerna {columns}, men {first} har {first_columns}; filerna i en export "
                               "behöver samma kolumner", "{file}: has columns {columns}, but {first} has "
                               "{first_columns}; the files of one export need the same columns"),
    "labs_err_key_file": ("{file}: kan inte läsas som nyckelfil ({detail})",
                          "{file}: cannot be read as a key file ({detail})"),
    "labs_err_other_key": ("{path}: en annan nyckel finns redan (fingeravtryck {fingerprint}); körningar gjorda med "
                           "den skulle inte dela pseudonymer med nya. Använd --force för att ersätta den",
                           "{path}: a different key is in place (fingerprint {fingerprint}); runs made with it would "
                           "not share pseudonyms with new ones. Use --force to replace it"),
    "labs_err_mixed_decimals": (
        "blandade decimaltecken: {comma} blir {comma_value} bara med decimalkomma, {dot} blir {dot_value} bara med "
        "decimalpunkt. Ange decimal: ',' eller decimal: '.' i mappningsfilen.",
        "mixed decimal styles: {comma} reads as {comma_value} only with a decimal comma, {dot} as {dot_value} only "
        "with a decimal point. Set decimal: ',' or decimal: '.' in the mapping file."),
    "labs_err_mixed_separators": (
        "blandade tusentalsavgränsare: {a} och {b} kan inte båda vara heltal eller båda decimaltal ({a} = {as_comma} "
        "eller {as_dot}). Ange decimal: ',' eller decimal: '.' i mappningsfilen.",
        "mixed thousands separators: {a} and {b} cannot both be whole numbers or both decimals ({a} = {as_comma} or "
        "{as_dot}). Set decimal: ',' or decimal: '.' in the mapping file."),
    "labs_err_ambiguous_comma": (
        "tvetydiga tal: {example} är {decimal} med decimalkomma eller {thousands} med {sep} som tusentalsavgränsare. "
        "Ange decimal: ',' eller decimal: '.' i mappningsfilen.",
        "ambiguous numbers: {example} is {decimal} with a decimal comma or {thousands} with {sep} as a thousands "
        "separator. Set decimal: ',' or decimal: '.' in the mapping file."),
    "labs_err_ambiguous_point": (
        "tvetydiga tal: {example} är {decimal} med decimalpunkt eller {thousands} med {sep} som tusentalsavgränsare. "
        "Ange decimal: ',' eller decimal: '.' i mappningsfilen.",
        "ambiguous numbers: {example} is {decimal} with a decimal point or {thousands} with {sep} as a thousands "
        "separator. Set decimal: ',' or decimal: '.' in the mapping file."),
    "labs_err_date_format": ("date_format {date_format} är varken day-first, month-first eller ett strptime-format "
                             "som '%d/%m/%Y %H:%M'; okänt datumformat", "date_format {date_format} is not day-first, "
                             "month-first or a strptime format such as '%d/%m/%Y %H:%M'"),
    "labs_err_ambiguous_dates": (
        "tvetydiga datum: {example} är dag {a} månad {b} (dagen först) eller månad {a} dag {b} (månaden först), och "
        "inget värde avgör det. Ange date_format: day-first eller month-first i mappningsfilen.",
        "ambiguous dates: {example} is day {a} month {b} (day first) or month {a} day {b} (month first), and no value "
        "decides it. Set date_format: day-first or month-first in the mapping file."),
    "labs_err_mixed_date_orders": (
        "blandad datumordning: {day} är ett datum bara med dagen först, {month} bara med månaden först. Ange "
        "date_format: day-first eller month-first i mappningsfilen.",
        "mixed date orders: {day} is only a date day first, {month} only month first. Set date_format: day-first or "
        "month-first in the mapping file."),
    # reading an export (lce_utils.engagement.load) and `lce labs check`'s preview of it
    "labs_err_file_type": ("okänd filtyp {suffix}; CSV/TSV/TXT, .xlsx/.xls/.ods, Parquet eller Tickster-köp som "
                           ".json väntades",
                           "unknown file type {suffix}; expected CSV/TSV/TXT, .xlsx/.xls/.ods, Parquet or Tickster "
                           "purchases as .json"),
    "labs_err_spreadsheet_as_text": (
        "detta är ett kalkylark (Excel eller OpenDocument), fast namnet slutar på {suffix}. Exportera som CSV igen "
        "eller byt filändelse till den riktiga (.xlsx, .xls eller .ods).",
        "this is an Excel or OpenDocument spreadsheet, although its name ends in {suffix}. Export it as CSV again, "
        "or give it its real ending (.xlsx, .xls or .ods)."),
    "labs_err_binary_as_text": (
        "detta är en binärfil, inte text, fast namnet slutar på {suffix}. Exportera som CSV igen eller byt "
        "filändelse till den riktiga (.xlsx, .xls eller .ods).",
        "this is a binary file, not text, although its name ends in {suffix}. Export it as CSV again, or give it its "
        "real ending (.xlsx, .xls or .ods)."),
    "labs_err_empty": ("filen är tom", "the file is empty"),
    "labs_err_no_rows": ("filen har en rubrikrad men inga datarader", "the file has a header but no data rows"),
    "labs_err_no_sheet": ("bladet {sheet} finns inte: {detail}", "sheet {sheet} not found: {detail}"),
    "labs_err_spreadsheet": ("kan inte läsas som kalkylark: {detail}", "cannot be read as a spreadsheet: {detail}"),
    "labs_err_no_header": ("ingen rubrikrad på rad {row}", "no header in row {row}"),
    "labs_err_no_data_file": ("datafilen finns inte", "data file not found"),
    "labs_err_no_events_file": ("evenemangsfilen finns inte", "events file not found"),
    "labs_err_unreadable": ("kan inte läsas: {detail}", "cannot be read: {detail}"),
    "labs_err_unreadable_near": ("kan inte läsas nära rad {line}: {detail}",
                                 "cannot be read near line {line}: {detail}"),
    "labs_err_identifier_column": (
        "kolumnen {column} innehåller {kind} (direkta identifierare) och kan inte användas som {used}. Ange en annan "
        "kolumn i en mappningsfil.",
        "column {column} holds {kind} values (direct identifiers) and cannot be used as {used}. Name another column "
        "in a mapping file."),
    "labs_err_event_rows": ("felaktiga rader i evenemangsfilen: {rows}", "bad rows in the events file: {rows}"),
    "labs_err_too_many_rejects": (
        "{rejected} av {rows} rader ({share}) kan inte läsas, fler än tillåtna {allowed}; flest i kolumnen {column} "
        "(filens kolumn {file_column}). Exempel: {examples}. Kontrollera kolumnen eller mappningen.",
        "{rejected} of {rows} rows ({share}) cannot be read, more than the allowed {allowed}; most in column {column} "
        "(file column {file_column}). Examples: {examples}."),
    "labs_pv_file": ("Fil", "File"),
    "labs_pv_timestamps": ("Tidpunkter läses som", "Timestamps read as"),
    "labs_pv_columns": ("Kolumner", "Columns"),
    "labs_pv_not_in_file": ("saknas", "not in file"),
    "labs_pv_by_name": ("namn", "by name"),
    "labs_pv_dropped": ("Direkta identifierare tas bort", "Direct identifiers dropped"),
    "labs_pv_ignored": ("Övriga kolumner används inte", "Other columns ignored"),
    "labs_pv_rows": ("Rader", "Rows"),
    "labs_pv_each_row": ("Varje rad är", "Each row is"),
    "labs_pv_excluded": ("Inte besök, räknas inte", "Not visits, excluded"),
    "labs_pv_duplicates": ("Exakta dubbletter", "Exact duplicate lines"),
    "labs_pv_first_rejected": ("Första avvisade rader", "First rejected rows"),
    "labs_pv_first_accepted": ("Första godkända rader (visitor_id pseudonymiserat)",
                               "First accepted rows (visitor_id pseudonymised)"),
    # mapping files and presets (lce_utils.engagement.mapping, presets)
    "labs_err_no_mapping_file": ("mappningsfilen finns inte", "mapping file not found"),
    "labs_err_yaml": ("inte giltig YAML: {detail}", "not valid YAML: {detail}"),
    "labs_err_exclude_status": ("exclude_status ska vara en lista med statusvärden, t.ex. [Återbetald, Avbokad]",
                                "exclude_status must be a list of status values, e.g. [Återbetald, Avbokad]"),
    "labs_err_no_such_column": ("mappningen anger kolumnen {column} för {canonical}, men filen har ingen sådan "
                                "kolumn. Kolumner i filen: {found}", "the mapping names column {column} for "
                                "{canonical}, but the file has no such column. Columns found: {found}"),
    "labs_err_required_columns": (
        "nödvändiga kolumner saknas: {missing}. Kolumner i filen: {found}. Ange dem i en mappningsfil (columns: "
        "{first}: <er kolumn>).",
        "required column(s) {missing} not found. Columns found: {found}. Name them in a mapping file (columns: "
        "{first}: <your column>)."),
    "labs_err_preset_unverified": (
        "finns inte: {reason}, så inget förval byggdes på gissade namn. Ange kolumnerna i exporten i en mappningsfil "
        "(--mapping, se engagement_labs/mapping-example.yaml).",
        "not available: {reason}, so no preset was built on guessed names. Name your export's columns in a mapping "
        "file (--mapping, see engagement_labs/mapping-example.yaml)."),
    "labs_err_preset_unknown": ("okänt förval; ett av {names} väntades", "unknown; expected one of {names}"),
    "labs_err_tickster_json": (
        "inte Tickster-köp som JSON (CRM-API:ts svar med listan \"purchases\" väntades)",
        "not Tickster purchases as JSON (the CRM API's response with its \"purchases\" list expected)"),
    # the pseudonymisation key and the period (lce_utils.engagement.pseudonymise, metrics)
    "labs_err_key_exists": ("{path}: finns redan; välj ett nytt filnamn",
                            "{path}: exists already; choose a new file name"),
    "labs_err_not_a_key": ("{file}: ingen pseudonymiseringsnyckel (en rad med minst 32 tecken väntades, som `lce labs "
                           "key export` skriver)", "{file}: not a pseudonymisation key (expected one line of at least "
                           "32 characters, as written by `lce labs key export`)"),
    "labs_err_key_variable": ("{variable} är satt och går före nyckelfilen; ta bort variabeln först",
                              "{variable} is set and overrides the key file; unset it first"),
    "labs_err_period": ("perioden {value} är inte ett datum (ÅÅÅÅ-MM-DD)", "period {value} is not a date (YYYY-MM-DD)"),
    "labs_hidden_value": ("dold", "hidden"),
}
